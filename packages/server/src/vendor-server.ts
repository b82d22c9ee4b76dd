import { firstAdminToken } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { buildApp } from './http/app.js';
import type { KeywardApp } from './http/keyward-app.js';
import { ServerMetrics } from './http/metrics.js';
import { JobQueue } from './jobs/job-queue.js';
import { JobRunner } from './jobs/job-runner.js';
import { scanExpiring, scheduleExpiryScan } from './jobs/scan-expiring.js';
import { AnswerSigner } from './licensing/answer-signer.js';
import { MailOutbox } from './mail/mail-outbox.js';
import { openMailTransport } from './mail/mail-transport.js';
import { SEND_MAIL_JOB } from './mail/queue-mail.js';
import { sendMail } from './mail/send-mail.js';
import { expireOrderJob, ORDER_EXPIRY_JOB, ORDER_REMINDER_JOB, remindOrderJob } from './orders/order-jobs.js';
import { BindingStore } from './storage/binding-store.js';
import { CatalogueStore } from './storage/catalogue-store.js';
import { openDatabase } from './storage/database.js';
import { DealerStore } from './storage/dealer-store.js';
import { LicenseStore } from './storage/license-store.js';
import { OrderStore } from './storage/order-store.js';
import { RenewalStore } from './storage/renewal-store.js';
import { SiteReportStore } from './storage/site-report-store.js';
import { SiteStore } from './storage/site-store.js';
import { UpdateStore } from './storage/update-store.js';
import { ensureVendorKeys, loadKeyring } from './vendor/keyring.js';
import { loadMasterSecret } from './vendor/master-secret.js';
import { deliverWebhook } from './webhooks/deliver-webhook.js';
import { DELIVER_WEBHOOK_JOB, SCAN_EXPIRING_JOB } from './webhooks/webhook-events.js';
import { WebhookStore } from './webhooks/webhook-store.js';

export interface RunningServer {
  readonly url: string;
  readonly app: KeywardApp;
  readonly context: ServerContext;
  readonly bootstrap: {
    /** Key ids created by this start (first run). */
    readonly createdKeys: string[];
    /** The first admin token, shown once: only its hash is stored. */
    readonly adminToken: string | undefined;
    /** Set when this start created the master key file, which the operator must back up. */
    readonly masterKeyFile: string | undefined;
  };
  close(): Promise<void>;
}

export interface StartOptions {
  /** The clock; tests move it to play days and years. */
  readonly now?: () => Date;
  /** How often the job runner looks for due jobs (default 250 ms). */
  readonly jobPollMs?: number;
}

function listeningAddress(app: { server: { address(): unknown } }, config: ServerConfig): string {
  const address = app.server.address();
  const port =
    typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

/** Opens the database, creates the vendor keys on first run, serves the HTTP API, then makes the first admin token. */
export async function startVendorServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const now = options.now ?? (() => new Date());
  const db = await openDatabase(config.database);
  try {
    const master = loadMasterSecret(config.masterKey, config.dataDir);
    const createdKeys = await ensureVendorKeys(db, master.secret, now().toISOString());
    const jobs = new JobQueue(db);
    let listeningUrl = '';
    const keyring = await loadKeyring(db, master.secret);
    const context: ServerContext = {
      config,
      db,
      catalogue: new CatalogueStore(db),
      licenses: new LicenseStore(db),
      bindings: new BindingStore(db),
      updates: new UpdateStore(db),
      dealers: new DealerStore(db),
      orders: new OrderStore(db),
      sites: new SiteStore(db),
      renewals: new RenewalStore(db),
      siteReports: new SiteReportStore(db),
      jobs,
      webhooks: new WebhookStore(db),
      metrics: new ServerMetrics(jobs, now),
      keyring,
      answers: new AnswerSigner(() => keyring.signer, { batching: config.batchSigning }),
      now,
      portalUrl: () => `${config.publicUrl ?? listeningUrl}/portal`,
    };
    const app = await buildApp(context);
    await app.listen({ host: config.host, port: config.port });
    listeningUrl = listeningAddress(app, config);
    const adminToken = await firstAdminToken(db, now().toISOString());
    const mailTransport = openMailTransport(config.mail);
    const runner = new JobRunner({
      queue: context.jobs,
      handlers: {
        [DELIVER_WEBHOOK_JOB]: deliverWebhook(context.webhooks, () => context.keyring.signer, now),
        [SCAN_EXPIRING_JOB]: scanExpiring(db, now),
        [SEND_MAIL_JOB]: sendMail(new MailOutbox(db), mailTransport, now, app.log),
        [ORDER_REMINDER_JOB]: remindOrderJob(context),
        [ORDER_EXPIRY_JOB]: expireOrderJob(context),
      },
      now,
      log: app.log,
      pollMs: options.jobPollMs,
      leaseMs: config.jobLeaseSeconds * 1000,
    });
    await scheduleExpiryScan(db, now());
    runner.start();
    return {
      url: listeningUrl,
      app,
      context,
      bootstrap: { createdKeys, adminToken, masterKeyFile: master.createdFile },
      async close() {
        // In-flight requests finish first, then the jobs under way, then the batched statistics.
        await app.close();
        await runner.stop();
        mailTransport.close();
        await context.bindings.checks.flush();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
