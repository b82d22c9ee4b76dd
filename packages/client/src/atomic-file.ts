import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Points where a test may stop a write, to prove a crash leaves the old file or the new, never a mix. */
export type WriteStage = 'after-temp-write' | 'after-rename';

/**
 * Writes a file so that a crash leaves either the old contents or the new: write a temporary file
 * beside it, fsync, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(
  path: string,
  contents: string,
  interrupt?: (stage: WriteStage) => void,
): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    interrupt?.('after-temp-write');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  interrupt?.('after-rename');
  const dir = await open(directory, 'r').catch(() => undefined);
  if (dir !== undefined) {
    // Directory fsync makes the rename durable; some platforms refuse it, which is harmless there.
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}

/**
 * Reads a small file, synchronously on purpose: containers and anchors are a few kilobytes, read
 * at every start, and a thread-pool round trip costs more than the read itself.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
