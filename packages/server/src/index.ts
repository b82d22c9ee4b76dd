export { type ServerConfig, type ServerFlags, readServerConfig } from './config.js';
export { type RunningServer, type StartOptions, startVendorServer } from './vendor-server.js';
export { problemBody, statusOf } from './http/problem.js';
