export { readServerConfig, type ServerConfig, type ServerFlags } from './config.js';
export { problemBody, statusOf } from './http/problem.js';
export { type RunningServer, type StartOptions, startVendorServer } from './vendor-server.js';
