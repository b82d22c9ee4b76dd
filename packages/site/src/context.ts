import type { SiteConfig } from './config.js';
import type { DonationReceiver } from './donation-receiver.js';
import type { Donations } from './donations.js';
import type { LicenseExpirationTask } from './license-expiration-task.js';
import type { LicenseManager } from './license-manager.js';
import type { Neighbours } from './neighbours.js';
import type { SiteNotifier } from './notifications/site-notifier.js';
import type { Propagation } from './propagation.js';
import type { SeatLending } from './seat-lending.js';
import type { SiteIdentity } from './site-identity.js';
import type { SiteReporter } from './site-reporter.js';
import type { SiteSettings } from './site-settings.js';
import type { SiteDb } from './storage/database.js';

/** What every operation of the site server may use; built once at start. */
export interface SiteContext {
  readonly config: SiteConfig;
  readonly db: SiteDb;
  readonly identity: SiteIdentity;
  readonly licenses: LicenseManager;
  readonly seats: SeatLending;
  readonly neighbours: Neighbours;
  /** Seats this site donates to its children. */
  readonly donations: Donations;
  /** Seats this site receives from its parents. */
  readonly received: DonationReceiver;
  readonly propagation: Propagation;
  /** The expiration task's and the notifications' settings. */
  readonly settings: SiteSettings;
  /** Records and delivers notifications (mail, webhook, user hook). */
  readonly notifier: SiteNotifier;
  /** The license key expiration task; the schedule runs it, the administrator may run it now. */
  readonly expiration: LicenseExpirationTask;
  /** The vendor's fleet view of this site. */
  readonly reporter: SiteReporter;
  readonly now: () => Date;
}
