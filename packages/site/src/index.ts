export { readSiteConfig, type SiteConfig, type SiteFlags } from './config.js';
export type { LicenseView, StationHolding } from './license-manager.js';
export { type RunningSite, type SiteStartOptions, startSiteServer } from './site-server.js';
