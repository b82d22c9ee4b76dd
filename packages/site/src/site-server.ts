import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { firstSiteAdminToken } from './admin-tokens.js';
import type { SiteConfig } from './config.js';
import type { SiteContext } from './context.js';
import { DonationReceiver } from './donation-receiver.js';
import { Donations } from './donations.js';
import { buildSiteApp } from './http/build-site-app.js';
import type { SiteApp } from './http/site-app.js';
import { LicenseExpirationTask } from './license-expiration-task.js';
import { LicenseManager } from './license-manager.js';
import { NeighbourClient } from './neighbour-client.js';
import { noticeOfReplacedKey } from './neighbour-renewal-notice.js';
import { Neighbours } from './neighbours.js';
import { openMailSender } from './notifications/mail-sender.js';
import { SiteNotifier } from './notifications/site-notifier.js';
import { Propagation } from './propagation.js';
import { SeatLending } from './seat-lending.js';
import { SiteIdentity } from './site-identity.js';
import { loadSiteKey } from './site-key.js';
import { SiteReporter } from './site-reporter.js';
import { SiteSchedule } from './site-schedule.js';
import { SiteSettings } from './site-settings.js';
import { openSiteDatabase } from './storage/database.js';
import { DonationMarks } from './storage/donation-marks.js';
import { DonationStore } from './storage/donation-store.js';
import { ExpirationCheckStore } from './storage/expiration-check-store.js';
import { IdentityStore } from './storage/identity-store.js';
import { SiteLicenseStore } from './storage/license-store.js';
import { NeighbourStore } from './storage/neighbour-store.js';
import { NotificationOutbox } from './storage/notification-outbox.js';
import { SeatStore } from './storage/seat-store.js';
import { SettingsStore } from './storage/settings-store.js';
import { VendorLink } from './vendor-link.js';

export interface RunningSite {
  readonly url: string;
  readonly app: SiteApp;
  readonly context: SiteContext;
  readonly bootstrap: {
    /** The first admin token, shown once: only its hash is stored. */
    readonly adminToken: string | undefined;
    /** Set when this start created the site key file, which the operator must back up. */
    readonly siteKeyFile: string | undefined;
  };
  close(): Promise<void>;
}

export interface SiteStartOptions {
  /** The clock; tests move it to let heartbeats lapse and borrowings end. */
  readonly now?: () => Date;
}

/** Opens the site database, loads (or creates) the site key and certificate, and serves the site API. */
export async function startSiteServer(
  config: SiteConfig,
  options: SiteStartOptions = {},
): Promise<RunningSite> {
  const now = options.now ?? (() => new Date());
  await mkdir(config.dataDir, { recursive: true });
  const key = await loadSiteKey(config.dataDir);
  const db = await openSiteDatabase(config.databaseFile);
  try {
    const identity = new SiteIdentity(key, new IdentityStore(db));
    await identity.load();
    const licenseStore = new SiteLicenseStore(db);
    const seatStore = new SeatStore(db);
    const donationStore = new DonationStore(db);
    const neighbourStore = new NeighbourStore(db);
    const licenses = new LicenseManager(
      identity,
      licenseStore,
      seatStore,
      donationStore,
      join(config.dataDir, 'keys'),
      now,
    );
    const client = new NeighbourClient();
    const neighbours = new Neighbours(identity, neighbourStore, client, config.protocol, now);
    const donations = new Donations(
      identity,
      licenses,
      licenseStore,
      donationStore,
      neighbourStore,
      neighbours,
      client,
      config.protocol,
      now,
    );
    const propagation = new Propagation(licenses, licenseStore, seatStore, donationStore, donations, now);
    const settings = new SiteSettings(new SettingsStore(db), now);
    const notifier = new SiteNotifier(
      db,
      new NotificationOutbox(db),
      settings,
      openMailSender(config.mail),
      now,
    );
    const vendor = new VendorLink(config.vendorUrl, identity, now);
    const expiration = new LicenseExpirationTask(
      identity,
      licenses,
      licenseStore,
      new ExpirationCheckStore(db),
      vendor,
      propagation,
      notifier,
      settings,
      now,
    );
    const reporter = new SiteReporter(licenses, vendor, config.protocol);
    const context: SiteContext = {
      config,
      db,
      identity,
      licenses,
      seats: new SeatLending(identity, licenses, licenseStore, seatStore, config.seats, now),
      neighbours,
      donations,
      received: new DonationReceiver(
        identity,
        licenses,
        licenseStore,
        seatStore,
        neighbourStore,
        propagation,
        config.protocol,
        now,
        new DonationMarks(db),
        noticeOfReplacedKey(identity, notifier, now),
      ),
      propagation,
      settings,
      notifier,
      expiration,
      reporter,
      now,
    };
    const app = await buildSiteApp(context);
    await app.listen({ host: config.host, port: config.port });
    const schedule = new SiteSchedule(expiration, propagation, reporter, config, app.log);
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const adminToken = await firstSiteAdminToken(db, now().toISOString());
    notifier.start(app.log);
    schedule.start();
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      app,
      context,
      bootstrap: { adminToken, siteKeyFile: key.createdFile },
      async close() {
        await schedule.stop();
        await notifier.close();
        await app.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
