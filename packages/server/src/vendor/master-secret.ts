import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MasterSecret {
  readonly secret: Buffer;
  /** Set when this start created the key file: the operator must back it up. */
  readonly createdFile: string | undefined;
}

/**
 * The secret that locks the vendor's private keys and the webhook endpoints' secrets at rest. From KEYWARD_MASTER_KEY when set
 * (several servers sharing a database need the same one); otherwise from a key file kept beside
 * the database, created on first run with owner-only permissions.
 */
export function loadMasterSecret(configured: Buffer | undefined, dataDir: string): MasterSecret {
  if (configured !== undefined) return { secret: configured, createdFile: undefined };
  const file = join(dataDir, 'master.key');
  try {
    const stored = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (stored.length !== 32) throw new Error(`${file} does not hold a 32-byte key in hex.`);
    return { secret: stored, createdFile: undefined };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, createdFile: file };
}
