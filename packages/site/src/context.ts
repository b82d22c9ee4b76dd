import type { SiteConfig } from './config.js';
import type { LicenseManager } from './license-manager.js';
import type { SeatLending } from './seat-lending.js';
import type { SiteIdentity } from './site-identity.js';
import type { SiteDb } from './storage/database.js';

/** What every operation of the site server may use; built once at start. */
export interface SiteContext {
  readonly config: SiteConfig;
  readonly db: SiteDb;
  readonly identity: SiteIdentity;
  readonly licenses: LicenseManager;
  readonly seats: SeatLending;
  readonly now: () => Date;
}
