import type { Result } from '@keyward/core/license-container';
import type { KeyStatus } from './key-status.js';
import { type LicenseClientOptions, LicenseSession } from './license-session.js';

export { computeFingerprint } from './fingerprint.js';
export type { KeyStatus } from './key-status.js';
export type { LicenseClientOptions } from './license-session.js';
export { parseSdkConfig, type SdkConfig } from './sdk-config.js';

/**
 * The key status alone, read offline, as `LicenseClient.status` reads it: the entry point
 * (`@keyward/client/status`) of what runs at every start of an application, without the
 * activation, update and transfer code of the rest of the SDK.
 */
export function readKeyStatus(options: LicenseClientOptions): Promise<Result<KeyStatus>> {
  return new LicenseSession(options).status();
}
