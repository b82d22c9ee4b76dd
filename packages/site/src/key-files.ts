import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A key file's name in the data directory. The serial is the vendor's, but it is still a name
 * from outside: anything but letters, digits and dashes is replaced, so it cannot leave the folder.
 */
function keyFileName(serial: string): string {
  return `${serial.replace(/[^A-Za-z0-9-]/g, '_')}.key`;
}

/** Writes a key file whole or not at all (a temporary file renamed over), and answers its path. */
export async function writeKeyFile(keysDir: string, serial: string, text: string): Promise<string> {
  await mkdir(keysDir, { recursive: true });
  const path = join(keysDir, keyFileName(serial));
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, text, { mode: 0o644 });
  await rename(partial, path);
  return path;
}
