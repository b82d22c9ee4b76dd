export type { SaveStage } from './container-store.js';
export { computeFingerprint } from './fingerprint.js';
export type { KeyStatus } from './key-status.js';
export { type CheckOutcome, LicenceClient, type TransferOutcome } from './licence-client.js';
export type { LicenceClientOptions } from './licence-session.js';
export { parseSdkConfig, type SdkConfig } from './sdk-config.js';
