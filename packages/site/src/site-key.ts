import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyMaterial, type PrivateKeyMaterial, privateKeyFromMaterial } from '@keyward/core';

/** The site server's own Ed25519 key: it signs every lease; the vendor certifies its public half. */
export interface SiteKey {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  /** Set when this start created the key file, which the operator must back up. */
  readonly createdFile: string | undefined;
}

const KEY_FILE = 'site-key.json';

function isMaterial(value: unknown): value is PrivateKeyMaterial {
  const material = value as Partial<PrivateKeyMaterial> | null;
  return (
    typeof material === 'object' &&
    material !== null &&
    material.kind === 'ed25519' &&
    typeof material.seed === 'string' &&
    typeof material.publicKey === 'string'
  );
}

/**
 * Reads the site key from the data directory, or creates it on first start. The file is written
 * exclusively, so two first starts cannot end up with two keys, and readable by its owner only.
 */
export async function loadSiteKey(dataDir: string): Promise<SiteKey> {
  const path = join(dataDir, KEY_FILE);
  let createdFile: string | undefined;
  try {
    await writeFile(path, `${JSON.stringify(generateKeyMaterial('ed25519'))}\n`, { flag: 'wx', mode: 0o600 });
    createdFile = path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const material: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!isMaterial(material)) throw new Error(`${path} does not hold an Ed25519 site key`);
  return { publicKey: material.publicKey, privateKey: privateKeyFromMaterial(material), createdFile };
}
