import { createHash, type KeyObject } from 'node:crypto';
import { ok, publicKeyFromRaw, type Result, refuse, type VendorKeys } from '@keyward/core/license-container';

/**
 * What the vendor ships inside the application (from `keyward admin sdk-config`): the license
 * server's address, the product, the evaluation period and the vendor's public keys.
 */
export interface SdkConfig {
  readonly serverUrl: string;
  readonly product: string;
  readonly evaluationDays: number;
  readonly vendorKeys: ReadonlyArray<{
    readonly kid: string;
    readonly kind: string;
    readonly publicKey: string;
  }>;
}

function invalid(problem: string) {
  return refuse('CONFIG_INVALID', `The SDK configuration ${problem}`);
}

export function parseSdkConfig(value: unknown): Result<SdkConfig> {
  if (typeof value !== 'object' || value === null) return invalid('is not a JSON object.');
  const config = value as Record<string, unknown>;
  if (typeof config.serverUrl !== 'string' || !/^https?:\/\//.test(config.serverUrl)) {
    return invalid('has no serverUrl (http:// or https://).');
  }
  if (typeof config.product !== 'string' || config.product === '') return invalid('names no product.');
  if (!Number.isInteger(config.evaluationDays) || (config.evaluationDays as number) < 0) {
    return invalid('has no evaluationDays (a whole number of days).');
  }
  const keys = Array.isArray(config.vendorKeys) ? config.vendorKeys : [];
  const vendorKeys = keys.filter(
    (key): key is SdkConfig['vendorKeys'][number] =>
      typeof key === 'object' &&
      key !== null &&
      typeof key.kid === 'string' &&
      typeof key.kind === 'string' &&
      typeof key.publicKey === 'string',
  );
  if (
    !vendorKeys.some(
      (key) => key.kind === 'ed25519' && publicKeyFromRaw('ed25519', key.publicKey) !== undefined,
    )
  ) {
    return invalid("holds no vendor signing key (ed25519): the vendor's answers could not be verified.");
  }
  return ok({
    serverUrl: config.serverUrl.replace(/\/+$/, ''),
    product: config.product,
    evaluationDays: config.evaluationDays as number,
    vendorKeys,
  });
}

/** The vendor's Ed25519 keys, by key id and all together: the only keys whose signatures the SDK accepts. */
export function vendorVerifyKeys(config: SdkConfig): VendorKeys {
  const keys = new Map<string, KeyObject>();
  for (const key of config.vendorKeys) {
    const imported = key.kind === 'ed25519' ? publicKeyFromRaw('ed25519', key.publicKey) : undefined;
    if (imported !== undefined) keys.set(key.kid, imported);
  }
  return { byKid: (kid) => keys.get(kid), all: [...keys.values()] };
}

/** A short name for the configuration, so containers of two vendors' products never share a file. */
export function productSlug(config: SdkConfig): string {
  const safe = config.product.replace(/[^a-z0-9-]/gi, '_');
  return `${safe}-${createHash('sha256')
    .update(config.vendorKeys.map((key) => key.publicKey).join())
    .digest('hex')
    .slice(0, 8)}`;
}
