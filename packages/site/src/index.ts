export { readSiteConfig, type SiteConfig, type SiteFlags } from './config.js';
export type { LicenseReplaced } from './donation-receiver.js';
export type { LicenseView, NeighbourHolding, StationHolding } from './license-manager.js';
export type { MovedLeases, NeighbourPropagation, Propagation } from './propagation.js';
export { type RunningSite, type SiteStartOptions, startSiteServer } from './site-server.js';
