export { issueAdminToken } from './bootstrap.js';
export { describeDatabase, readServerConfig, type ServerConfig, type ServerFlags } from './config.js';
export { type RunningServer, type StartOptions, startVendorServer } from './vendor-server.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks/webhook-events.js';
