/** The license events a vendor can subscribe a webhook endpoint to. */
export const WEBHOOK_EVENTS = [
  'license.activated',
  'license.check_failed',
  'license.transferred',
  'license.updated',
  'license.suspended',
  'license.reinstated',
  'license.expiring',
  'license.released',
  'license.revoked',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The license history's event types that are also webhook events. */
export const WEBHOOK_EVENT_OF: Readonly<Record<string, WebhookEvent>> = {
  activated: 'license.activated',
  deactivated: 'license.transferred',
  updated: 'license.updated',
  suspended: 'license.suspended',
  reinstated: 'license.reinstated',
  expiring: 'license.expiring',
  released: 'license.released',
  revoked: 'license.revoked',
};

export const DELIVER_WEBHOOK_JOB = 'webhook.deliver';
export const SCAN_EXPIRING_JOB = 'licenses.scan-expiring';
