import type { ServerConfig } from '../config.js';

/** The configuration as it crosses the IPC channel (JSON): the master secret as hex. */
export type WireConfig = Omit<ServerConfig, 'masterKey'> & { readonly masterKey: string | undefined };

/** From the primary to a worker. */
export type PrimaryMessage =
  | { readonly type: 'start'; readonly config: WireConfig }
  /** Close the server (in-flight requests, jobs, batched checks), then exit 0. */
  | { readonly type: 'stop' };

/** From a worker to the primary. */
export type WorkerMessage =
  /** Sent once its program is loaded: a message sent before it has a listener would be lost. */
  | { readonly type: 'waiting' }
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'failed'; readonly code: string | undefined; readonly message: string };

export function toWire(config: ServerConfig): WireConfig {
  return { ...config, masterKey: config.masterKey?.toString('hex') };
}

export function fromWire(config: WireConfig): ServerConfig {
  return {
    ...config,
    masterKey: config.masterKey === undefined ? undefined : Buffer.from(config.masterKey, 'hex'),
  };
}

/** A worker's start failure as the primary rethrows it: the code (EADDRINUSE, say) survives. */
export function startFailure(message: Extract<WorkerMessage, { type: 'failed' }>): Error {
  return Object.assign(new Error(message.message), { code: message.code });
}
