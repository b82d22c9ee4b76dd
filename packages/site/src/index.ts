export { readSiteConfig, type SiteConfig, type SiteFlags } from './config.js';
export type { LicenseView, StationHolding } from './license-manager.js';
export type { DeliveryRound, SiteNotifier } from './notifications/site-notifier.js';
export type { ExpirationTaskSettings } from './settings-rules.js';
export { SITE_EVENT_KINDS, type SiteEvent, type SiteEventKind } from './site-events.js';
export { type RunningSite, type SiteStartOptions, startSiteServer } from './site-server.js';
export type { NotificationSettingsView, SiteSettings } from './site-settings.js';
export type { NotificationRecord } from './storage/notification-outbox.js';
