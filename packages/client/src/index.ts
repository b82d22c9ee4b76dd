export type { SaveStage } from './container-store.js';
export { computeFingerprint } from './fingerprint.js';
export type { KeyContents } from './key-contents.js';
export type { KeyStatus } from './key-status.js';
export type { AppliedUpdate, KeyUpdates, OrderUpgrade } from './key-updates.js';
export { type CheckOutcome, LicenseClient, type TransferOutcome } from './license-client.js';
export type { LicenseClientOptions } from './license-session.js';
export type { OfflineActivation } from './offline-activation.js';
export { parseSdkConfig, type SdkConfig } from './sdk-config.js';
