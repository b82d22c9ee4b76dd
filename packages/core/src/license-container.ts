/**
 * What an application needs at every start to read its license container and the vendor's terms
 * in it (`@keyward/core/license-container`): the key status path of the SDK imports this, not
 * the whole of core, so that it loads only the modules it runs.
 */
export * from './armor.js';
export * from './binding.js';
export * from './container-integrity.js';
export * from './container-verdict.js';
export * from './contents.js';
export * from './crypto/encoding.js';
export * from './crypto/keys.js';
export type { UnsealKey } from './crypto/sealed-envelope.js';
export * from './crypto/secret-box.js';
export * from './crypto/signed-envelope.js';
export * from './document-reader.js';
export * from './documents.js';
export * from './errors.js';
export * from './fingerprint.js';
export * from './ids.js';
export * from './licensing.js';
export * from './result.js';
export * from './terms.js';
export * from './time.js';
