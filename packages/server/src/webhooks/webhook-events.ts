/** The licence events a vendor can subscribe a webhook endpoint to. */
export const WEBHOOK_EVENTS = [
  'licence.activated',
  'licence.check_failed',
  'licence.transferred',
  'licence.updated',
  'licence.suspended',
  'licence.reinstated',
  'licence.expiring',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The licence history's event types that are also webhook events. */
export const WEBHOOK_EVENT_OF: Readonly<Record<string, WebhookEvent>> = {
  activated: 'licence.activated',
  deactivated: 'licence.transferred',
  updated: 'licence.updated',
  suspended: 'licence.suspended',
  reinstated: 'licence.reinstated',
  expiring: 'licence.expiring',
};

export const DELIVER_WEBHOOK_JOB = 'webhook.deliver';
export const SCAN_EXPIRING_JOB = 'licences.scan-expiring';
