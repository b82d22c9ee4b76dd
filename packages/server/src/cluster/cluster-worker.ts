// The program node:cluster runs in each worker of `keyward server start --workers N`: it waits
// for its configuration from the primary, serves on the shared port, and closes when told to.
import cluster from 'node:cluster';
import { type RunningServer, startVendorServer } from '../vendor-server.js';
import { fromWire, type PrimaryMessage, type WorkerMessage } from './cluster-messages.js';

const self = cluster.worker;
if (self === undefined) throw new Error('cluster-worker.js runs only as a node:cluster worker.');
let server: Promise<RunningServer> | undefined;
let stopping = false;

function send(message: WorkerMessage, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

/** Closes the server (waiting for a start under way), so checks batched in memory reach the database. */
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const running = await server?.catch(() => undefined);
  await running?.close();
  process.exit(0);
}

process.on('message', (message: PrimaryMessage) => {
  if (message.type === 'stop') {
    void stop();
    return;
  }
  if (server !== undefined) return;
  server = startVendorServer(fromWire(message.config), { worker: self.id });
  server.then(
    (running) => send({ type: 'ready', url: running.url }),
    (error: NodeJS.ErrnoException) =>
      send({ type: 'failed', code: error.code, message: error.message }, () => process.exit(1)),
  );
});

// A signal sent to the worker itself (Ctrl-C reaches the whole process group; systemd's
// control-group stop signals every process) closes it as gracefully as the primary's stop.
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
// The channel to the primary broke (the primary is gone): there is no one left to serve for.
self.on('error', () => process.exit(1));
send({ type: 'waiting' });
