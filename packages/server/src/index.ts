export { issueAdminToken } from './bootstrap.js';
export { type ClusterOptions, type RunningCluster, startVendorCluster } from './cluster/vendor-cluster.js';
export {
  describeDatabase,
  describeMail,
  readServerConfig,
  type ServerConfig,
  type ServerFlags,
} from './config.js';
export { ANSWER_BATCH_LIMIT, AnswerSigner, type AnswerSignerOptions } from './licensing/answer-signer.js';
export { openRequestFile } from './licensing/update-service.js';
export { type ClaimRefusal, type MailClaim, MailOutbox, type QueuedMail } from './mail/mail-outbox.js';
export { queueMail } from './mail/queue-mail.js';
export { lookUpConfirmation } from './orders/confirmation-lookup.js';
export { authenticateDealer } from './orders/dealer-service.js';
export { expireOrder, mailUpgradeFile, remindOrder } from './orders/order-notices.js';
export { authorizeOrder, listOrders, showOrder } from './orders/order-service.js';
export { type OrderSubmission, type ProcessedOrder, processOrder } from './orders/process-order.js';
export { StartRefused } from './start-refused.js';
export { type RunningServer, type StartOptions, startVendorServer } from './vendor-server.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks/webhook-events.js';
