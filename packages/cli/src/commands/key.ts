import { readFile, writeFile } from 'node:fs/promises';
import { computeFingerprint, LicenseClient, parseSdkConfig } from '@keyward/client';
import { keywardError } from '@keyward/core';
import { Command } from 'commander';
import { fail, leaf, readUserFile, unwrap } from '../command-kit.js';
import { describeVerdict, formatStatus } from '../key-status-format.js';
import type { Output } from '../output.js';
import { readCliEnvironment } from '../settings.js';

interface KeyOptions {
  sdkConfig?: string;
  home?: string;
  anchorDir?: string;
  fingerprint?: string;
  url?: string;
}

async function licenseClient(options: KeyOptions): Promise<LicenseClient> {
  const env = readCliEnvironment(process.env);
  const configFile = options.sdkConfig ?? env.sdkConfig;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not valid JSON';
    fail(keywardError('CONFIG_INVALID', `The SDK configuration ${configFile} ${reason} (see --sdk-config).`));
  }
  const config = unwrap(parseSdkConfig(json));
  const serverUrl = options.url ?? env.url ?? config.serverUrl;
  return new LicenseClient({
    config: { ...config, serverUrl },
    home: options.home ?? env.home,
    anchorDir: options.anchorDir ?? env.anchorDir,
    fingerprint: options.fingerprint ?? env.fingerprint ?? (await computeFingerprint()),
  });
}

/** Options of the leaf commands under `key`. */
type KeyLeafOptions = KeyOptions & { offline?: boolean; out?: string; code?: string | boolean };

function keyLeaf(
  name: string,
  description: string,
  configure: (command: Command) => Command,
  action: (client: LicenseClient, out: Output, args: string[], options: KeyLeafOptions) => Promise<void>,
) {
  return leaf<KeyLeafOptions>(name, description, configure, async (options, out, args) =>
    action(await licenseClient(options), out, args, options),
  );
}

const status = keyLeaf(
  'status',
  'Show the license container on this computer.',
  (c) => c,
  async (client, out) => {
    const value = unwrap(await client.status());
    out.result(value, () => formatStatus(value));
  },
);

const activate = keyLeaf(
  'activate',
  'Activate a serial number on this computer (online), or record it for activation by e-mail or fax.',
  (c) =>
    c
      .argument('[serial]', 'the serial number (default: the one already entered)')
      .option('--offline', 'only record the serial; stay in evaluation until activated'),
  async (client, out, [serial], options) => {
    if (options.offline === true) {
      if (serial === undefined) fail(keywardError('VALIDATION_FAILED', 'Give the serial number to record.'));
      const value = unwrap(await client.enterSerial(serial));
      out.result(
        value,
        () =>
          `Serial recorded; the application stays in evaluation until the license is activated.\n\n${formatStatus(value)}`,
      );
      return;
    }
    const outcome = unwrap(await client.activate(serial));
    out.result(outcome, () => `Activated.\n\n${formatStatus(outcome.status)}`);
  },
);

const check = keyLeaf(
  'check',
  'CheckLicense: may the application run? Goes online only when the license says so.',
  (c) => c,
  async (client, out) => {
    const outcome = unwrap(await client.check());
    out.result(
      outcome,
      () => `${outcome.online ? 'Checked online. ' : ''}${describeVerdict(outcome.status)}`,
    );
  },
);

const deactivate = keyLeaf(
  'deactivate',
  'Transfer: release the serial from this computer so another computer can activate it.',
  (c) => c,
  async (client, out) => {
    const outcome = unwrap(await client.deactivate());
    out.result(outcome, () =>
      [
        'The serial is released from this computer; the license here is frozen.',
        `Transfers used: ${outcome.transfersUsed} of ${outcome.maxTransfers ?? 'unlimited'}.`,
        'Activate it on the other computer with: keyward key activate <serial>',
      ].join('\n'),
    );
  },
);

const request = keyLeaf(
  'request',
  'Make the request for an update (works offline): a file to send the vendor, or a code to read out.',
  (c) =>
    c
      .option('--out <file>', 'write the request file here (e.g. KeyUpload.dat)')
      .option('--code', 'make a short request code instead'),
  async (client, out, _args, options) => {
    if (options.code === true) {
      const code = unwrap(await client.updates.createRequestCode());
      out.result({ requestCode: code }, () => `Request code (read it to your vendor): ${code}`);
      return;
    }
    const file = unwrap(await client.updates.createRequest());
    if (options.out === undefined) {
      out.result({ request: file }, () => file.trimEnd());
      return;
    }
    await writeFile(options.out, file);
    out.result({ file: options.out }, () => `Request written to ${options.out}: send it to your vendor.`);
  },
);

const apply = keyLeaf(
  'apply',
  'Apply an update file from the vendor, or an activation code read out by them.',
  (c) =>
    c
      .argument('[file]', 'the update file (e.g. KeyUpgrade.dat)')
      .option('--code <code>', 'the activation code'),
  async (client, out, [file], options) => {
    const code = typeof options.code === 'string' ? options.code : undefined;
    if ((file === undefined) === (code === undefined))
      fail(keywardError('VALIDATION_FAILED', 'Give the update file, or --code.'));
    const applied = unwrap(
      code !== undefined
        ? await client.updates.applyCode(code)
        : await client.updates.apply((await readUserFile(file ?? '', 'update file')).toString('utf8')),
    );
    out.result(
      applied,
      () =>
        `Update applied: step ${applied.fromSequence} -> ${applied.toSequence}.\n\n${formatStatus(applied.status)}`,
    );
  },
);

const update = keyLeaf(
  'update',
  'Online update: fetch and apply the updates the vendor has issued for this key.',
  (c) => c,
  async (client, out) => {
    const applied = unwrap(await client.updates.pull());
    out.result({ applied }, () =>
      applied.length === 0
        ? 'The key is up to date.'
        : `Applied ${applied.length} update(s); the key is at step ${applied.at(-1)?.toSequence}.`,
    );
  },
);

export const keyCommand = new Command('key')
  .description("The key status utility: the end user's license on this computer.")
  .option(
    '--sdk-config <file>',
    "the application's SDK configuration (KEYWARD_SDK_CONFIG, default ./keyward-sdk.json)",
  )
  .option('--home <dir>', 'license container directory (KEYWARD_HOME, default ~/.keyward)')
  .option('--anchor-dir <dir>', 'anti-rollback anchor directory (KEYWARD_ANCHOR_DIR)')
  .option('--fingerprint <id>', "this computer's identity, instead of the computed one (KEYWARD_FINGERPRINT)")
  .option('--url <url>', 'license server address, instead of the one in the SDK configuration (KEYWARD_URL)')
  .addCommand(status)
  .addCommand(activate)
  .addCommand(check)
  .addCommand(deactivate)
  .addCommand(request)
  .addCommand(apply)
  .addCommand(update);
