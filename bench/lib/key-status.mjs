// `keyward key status` as an end user runs it, a process of its own, against `node -e 0` timed in
// the same run: what the key status utility costs above starting Node.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KEYWARD = resolve('packages/cli/bin/keyward.js');

async function medianMs(command, args, env, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(command, args, { env });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

/** The median of `runs` timed runs of each. */
export async function keyStatusStartup(sdkConfig, { runs = 9 } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'keyward-bench-key-'));
  try {
    const config = join(root, 'sdk.json');
    await writeFile(config, JSON.stringify(sdkConfig));
    const env = {
      PATH: process.env.PATH,
      HOME: root,
      KEYWARD_SDK_CONFIG: config,
      KEYWARD_HOME: join(root, 'home'),
      KEYWARD_FINGERPRINT: 'bench-computer',
    };
    // The first run makes the container and starts the evaluation; the timed runs read it.
    await run(process.execPath, [KEYWARD, 'key', 'status'], { env });
    const nodeMs = await medianMs(process.execPath, ['-e', '0'], env, runs);
    const keyStatusMs = await medianMs(process.execPath, [KEYWARD, 'key', 'status'], env, runs);
    return {
      keyStatusMs,
      nodeMs,
      ratio: Math.round((keyStatusMs / nodeMs) * 100) / 100,
      target: '<= 3x node -e 0',
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
