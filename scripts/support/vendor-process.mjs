// A real vendor server for the scripts: `keyward server start` as an operator runs it, in a
// child process on a random loopback port, with a data directory of its own.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KEYWARD = fileURLToPath(new URL('../../packages/cli/bin/keyward.js', import.meta.url));

/**
 * Starts the server and waits for its first-run document (address and admin token).
 * @param {string} dataDir
 * @returns {Promise<{ url: string, token: string, admin: (method: string, path: string, body?: unknown) => Promise<any>, stop: () => Promise<void> }>}
 */
export async function startVendorProcess(dataDir) {
  const child = spawn(
    process.execPath,
    [KEYWARD, 'server', 'start', '--port', '0', '--json', '--log-level', 'silent'],
    {
      cwd: dataDir,
      env: { PATH: process.env.PATH, HOME: dataDir, KEYWARD_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const started = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      try {
        resolve(JSON.parse(text));
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`the vendor server exited with ${code}`)));
  });
  const admin = async (method, path, body) => {
    const response = await fetch(new URL(path, started.url), {
      method,
      headers: {
        authorization: `Bearer ${started.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url: started.url, token: started.adminToken, admin, stop };
}
