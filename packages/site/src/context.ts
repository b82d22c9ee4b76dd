import type { SiteConfig } from './config.js';
import type { LicenseManager } from './license-manager.js';
import type { SiteNotifier } from './notifications/site-notifier.js';
import type { SeatLending } from './seat-lending.js';
import type { SiteIdentity } from './site-identity.js';
import type { SiteSettings } from './site-settings.js';
import type { SiteDb } from './storage/database.js';

/** What every operation of the site server may use; built once at start. */
export interface SiteContext {
  readonly config: SiteConfig;
  readonly db: SiteDb;
  readonly identity: SiteIdentity;
  readonly licenses: LicenseManager;
  readonly seats: SeatLending;
  /** The expiration task's and the notifications' settings. */
  readonly settings: SiteSettings;
  /** Records and delivers notifications (mail, webhook, user hook). */
  readonly notifier: SiteNotifier;
  readonly now: () => Date;
}
