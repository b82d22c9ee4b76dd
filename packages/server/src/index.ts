export { issueAdminToken } from './bootstrap.js';
export {
  describeDatabase,
  describeMail,
  type MailSettings,
  readServerConfig,
  type ServerConfig,
  type ServerFlags,
} from './config.js';
export { type ClaimRefusal, type MailClaim, MailOutbox, type QueuedMail } from './mail/mail-outbox.js';
export { queueMail } from './mail/queue-mail.js';
export { type RunningServer, type StartOptions, startVendorServer } from './vendor-server.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks/webhook-events.js';
