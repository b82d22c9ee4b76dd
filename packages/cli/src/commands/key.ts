import { stat, writeFile } from 'node:fs/promises';
import { LicenseClient } from '@keyward/client';
import { keywardError } from '@keyward/core';
import { Command } from 'commander';
import { fail, leaf, readUserFile, unwrap } from '../command-kit.js';
import { KEY_OPTIONS, type KeyOptions, licenseClientOptions } from '../key-options.js';
import { describeVerdict, formatStatus } from '../key-status-format.js';
import type { Output } from '../output.js';
import { showKeyStatus } from './key-status.js';

/** Options of the leaf commands under `key`. */
type KeyLeafOptions = KeyOptions & {
  offline?: boolean;
  out?: string;
  code?: string | boolean;
  order?: string;
  auth?: string;
};

function keyLeaf(
  name: string,
  description: string,
  configure: (command: Command) => Command,
  action: (client: LicenseClient, out: Output, args: string[], options: KeyLeafOptions) => Promise<void>,
) {
  return leaf<KeyLeafOptions>(name, description, configure, async (options, out, args) =>
    action(new LicenseClient(await licenseClientOptions(options)), out, args, options),
  );
}

const status = leaf<KeyOptions>(
  'status',
  'Show the license container on this computer.',
  (c) => c,
  async (options, out) => showKeyStatus(options, out),
);

const activate = keyLeaf(
  'activate',
  'Activate a serial number on this computer: online, or by e-mail or fax (--offline) with an Unlock Key.',
  (c) =>
    c
      .argument('[serial]', 'the serial number (default: the one already entered)')
      .option('--offline', 'make an activation request to send the vendor by e-mail or fax')
      .option('--out <file>', 'with --offline: write the activation request here'),
  async (client, out, [serial], options) => {
    if (options.offline === true) {
      if (serial === undefined)
        fail(keywardError('VALIDATION_FAILED', 'Give the serial number to activate.'));
      const requested = unwrap(await client.offline.request(serial));
      const byPhone =
        requested.code === null
          ? ''
          : `\nBy phone, read out the serial and this request code:\n  ${requested.code}\n`;
      const next = 'Enter the Unlock Key the vendor sends back with: keyward key unlock <file or code>';
      if (options.out === undefined) {
        out.result(
          { request: requested.file, code: requested.code, status: requested.status },
          () => `${requested.file.trimEnd()}\n${byPhone}\nSend the request to your vendor. ${next}`,
        );
        return;
      }
      await writeFile(options.out, requested.file);
      out.result(
        { file: options.out, code: requested.code, status: requested.status },
        () =>
          `Activation request written to ${options.out}: send it to your vendor by e-mail or fax.\n${byPhone}\n${next}\nThe application runs in evaluation meanwhile.\n\n${formatStatus(requested.status)}`,
      );
      return;
    }
    const outcome = unwrap(await client.activate(serial));
    out.result(outcome, () => `Activated.\n\n${formatStatus(outcome.status)}`);
  },
);

const unlock = keyLeaf(
  'unlock',
  "Enter the Unlock Key the vendor sent for this computer's activation request, a file or the code read out on the phone (works offline).",
  (c) => c.argument('<file-or-code...>', 'the Unlock Key file, or the Unlock Key code (groups may be apart)'),
  async (client, out, given) => {
    const text = await unlockKeyText(given.join(' '));
    const status = unwrap(await client.offline.unlock(text));
    out.result(status, () => `Activated by Unlock Key.\n\n${formatStatus(status)}`);
  },
);

/** An Unlock Key given as a file name reads the file; anything else is the code itself. */
async function unlockKeyText(given: string): Promise<string> {
  const isFile = await stat(given).then(
    (found) => found.isFile(),
    () => false,
  );
  return isFile ? (await readUserFile(given, 'Unlock Key file')).toString('utf8') : given;
}

const check = keyLeaf(
  'check',
  'CheckLicense: may the application run? Goes online only when the license says so.',
  (c) => c,
  async (client, out) => {
    const outcome = unwrap(await client.check());
    out.result(outcome, () =>
      outcome.grace === undefined
        ? `${outcome.online ? 'Checked online. ' : ''}${describeVerdict(outcome.status)}`
        : `The license server could not be reached; the application runs in its grace period: ${outcome.grace.daysLeft} day(s) left, until ${outcome.grace.until.slice(0, 10)}.`,
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

const upgrade = keyLeaf(
  'upgrade',
  "Online upgrade by a dealer's order: the order ID and authorization number from its e-mail; the key's own contents are the From counts.",
  (c) =>
    c
      .requiredOption('--order <id>', 'the order ID (ord_...)')
      .requiredOption('--auth <number>', 'the order authorization number'),
  async (client, out, _args, options) => {
    const upgraded = unwrap(await client.updates.upgradeByOrder(options.order ?? '', options.auth ?? ''));
    out.result(upgraded, () =>
      [
        `Order ${upgraded.orderId} processed and applied: step ${upgraded.fromSequence} -> ${upgraded.toSequence}.`,
        ...upgraded.upgrade.map((line) => `  ${line.item}.${line.kind}: from ${line.from} to ${line.to}`),
        '',
        formatStatus(upgraded.status),
      ].join('\n'),
    );
  },
);

export const keyCommand = new Command('key').description(
  "The key status utility: the end user's license on this computer.",
);
for (const option of KEY_OPTIONS) keyCommand.option(`${option.flag} ${option.value}`, option.description);
keyCommand
  .addCommand(status)
  .addCommand(activate)
  .addCommand(unlock)
  .addCommand(check)
  .addCommand(deactivate)
  .addCommand(request)
  .addCommand(apply)
  .addCommand(update)
  .addCommand(upgrade);
