import { firstAdminToken } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { buildApp } from './http/app.js';
import type { KeywardApp } from './http/keyward-app.js';
import { ServerMetrics } from './http/metrics.js';
import { JobQueue } from './jobs/job-queue.js';
import { JobRunner } from './jobs/job-runner.js';
import { PRUNE_RETAINED_JOB, pruneRetained, schedulePruning } from './jobs/prune-retained.js';
import { scanExpiring, scheduleExpiryScan } from './jobs/scan-expiring.js';
import { AnswerSigner } from './licensing/answer-signer.js';
import { MailOutbox } from './mail/mail-outbox.js';
import { openMailTransport } from './mail/mail-transport.js';
import { SEND_MAIL_JOB } from './mail/queue-mail.js';
import { sendMail } from './mail/send-mail.js';
import { expireOrderJob, ORDER_EXPIRY_JOB, ORDER_REMINDER_JOB, remindOrderJob } from './orders/order-jobs.js';
import { AuditLog } from './storage/audit-log.js';
import { BindingStore } from './storage/binding-store.js';
import { CatalogueStore } from './storage/catalogue-store.js';
import { databaseAnswers } from './storage/database.js';
import { DealerStore } from './storage/dealer-store.js';
import { ExpiryNoticeStore } from './storage/expiry-notices.js';
import { LicenseStore } from './storage/license-store.js';
import { OrderNoticeStore } from './storage/order-notice-store.js';
import { OrderStore } from './storage/order-store.js';
import { RenewalStore } from './storage/renewal-store.js';
import { SiteReportStore } from './storage/site-report-store.js';
import { SiteStore } from './storage/site-store.js';
import { TokenStore } from './storage/token-store.js';
import { UpdateStore } from './storage/update-store.js';
import { loadKeyring } from './vendor/keyring.js';
import { openVendorData } from './vendor/vendor-data.js';
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
  /**
   * Set in a worker of a `--workers` cluster: its number. The primary then makes the first admin
   * token itself, once every worker listens.
   */
  readonly worker?: number;
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
  const { db, master, createdKeys } = await openVendorData(config, now().toISOString(), {
    verify: options.worker === undefined,
  });
  try {
    const jobs = new JobQueue(db, config.database.engine);
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
      orderNotices: new OrderNoticeStore(db),
      sites: new SiteStore(db),
      renewals: new RenewalStore(db),
      siteReports: new SiteReportStore(db),
      jobs,
      webhooks: new WebhookStore(db, master.secret),
      tokens: new TokenStore(db),
      databaseAnswers: () => databaseAnswers(db),
      audit: new AuditLog(db),
      metrics: new ServerMetrics(jobs, now),
      keyring,
      answers: new AnswerSigner(() => keyring.signer, { batching: config.batchSigning }),
      now,
      portalUrl: () => `${config.publicUrl ?? listeningUrl}/portal`,
      worker: options.worker,
    };
    const app = await buildApp(context);
    context.bindings.checks.reportFailuresTo((error, retryInMs) =>
      app.log.error({ err: error, retryInMs }, 'check statistics not written; they are kept and tried again'),
    );
    await app.listen({ host: config.host, port: config.port });
    listeningUrl = listeningAddress(app, config);
    const adminToken =
      options.worker === undefined ? await firstAdminToken(db, now().toISOString()) : undefined;
    const mailTransport = openMailTransport(config.mail);
    // Every process runs the job runner, cluster workers included: a job is claimed conditionally
    // (one claimant wins, under a lease), and the hourly expiry scan's id names its hour, so N
    // runners on one database still run each job once. Running them everywhere rather than in one
    // chosen worker keeps jobs going while any worker lives, with nothing to hand over on a restart.
    const runner = new JobRunner({
      queue: context.jobs,
      handlers: {
        [DELIVER_WEBHOOK_JOB]: deliverWebhook(context.webhooks, now),
        [SCAN_EXPIRING_JOB]: scanExpiring(new ExpiryNoticeStore(db), db, now),
        [PRUNE_RETAINED_JOB]: pruneRetained(db, config.retentionDays, now),
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
    await schedulePruning(db, now());
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
