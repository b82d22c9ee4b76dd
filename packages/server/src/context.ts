import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './http/metrics.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { AnswerSigner } from './licensing/answer-signer.js';
import type { AuditLog } from './storage/audit-log.js';
import type { BindingStore } from './storage/binding-store.js';
import type { CatalogueStore } from './storage/catalogue-store.js';
import type { VendorDb } from './storage/database.js';
import type { DealerStore } from './storage/dealer-store.js';
import type { LicenseStore } from './storage/license-store.js';
import type { OrderNoticeStore } from './storage/order-notice-store.js';
import type { OrderStore } from './storage/order-store.js';
import type { RenewalStore } from './storage/renewal-store.js';
import type { SiteReportStore } from './storage/site-report-store.js';
import type { SiteStore } from './storage/site-store.js';
import type { TokenStore } from './storage/token-store.js';
import type { UpdateStore } from './storage/update-store.js';
import type { VendorKeyring } from './vendor/keyring.js';
import type { WebhookStore } from './webhooks/webhook-store.js';

/** What every operation of the vendor server may use; built once at start. */
export interface ServerContext {
  readonly config: ServerConfig;
  readonly db: VendorDb;
  readonly catalogue: CatalogueStore;
  readonly licenses: LicenseStore;
  readonly bindings: BindingStore;
  readonly updates: UpdateStore;
  readonly dealers: DealerStore;
  readonly orders: OrderStore;
  readonly orderNotices: OrderNoticeStore;
  readonly sites: SiteStore;
  readonly renewals: RenewalStore;
  readonly siteReports: SiteReportStore;
  readonly jobs: JobQueue;
  readonly webhooks: WebhookStore;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly metrics: ServerMetrics;
  readonly keyring: VendorKeyring;
  /** Signs the machine API's answers with the vendor key, in batches under load (KEYWARD_BATCH_SIGNING). */
  readonly answers: AnswerSigner;
  readonly now: () => Date;
  /** Readiness: whether the database answers a trivial query now. */
  readonly databaseAnswers: () => Promise<boolean>;
  /** The dealer portal's address as e-mails give it: KEYWARD_PUBLIC_URL, else where the server listens. */
  readonly portalUrl: () => string;
  /** This process's number in a `--workers` cluster (a restarted worker takes a new one); undefined alone. */
  readonly worker: number | undefined;
}
