import { writeFile } from 'node:fs/promises';
import { type License, type Policy, PROVISIONAL_PREFIX } from '@keyward/core';
import { expiryWording } from '@keyward/core/license-container';
import { Command } from 'commander';
import {
  type ArchivedFlags,
  archivedQuery,
  expiryOf,
  integer,
  leaf,
  query,
  readUserFile,
  unwrap,
  usage,
  withArchivedFlags,
} from '../command-kit.js';
import { contentsLine, historyLine, licenseLine, transfersText } from '../license-format.js';
import { table } from '../output.js';
import { auditCommands } from './admin-audit.js';
import { type Connection, connect } from './admin-connection.js';
import { licenseEditCommands } from './admin-license-edits.js';
import { dealerCommands, orderCommands } from './admin-orders.js';
import { policyCommands } from './admin-policies.js';
import { productCommands } from './admin-products.js';
import { renewalCommands } from './admin-renewals.js';
import { siteAdminCommands } from './admin-sites.js';
import { supportDeskCommands } from './admin-support.js';
import { tokenCommands } from './admin-tokens.js';
import { updateCommands } from './admin-updates.js';
import { webhookCommands } from './admin-webhooks.js';

interface LicenseDetails {
  license: License;
  /** The effective limit: the policy's plus the transfers granted. */
  maxTransfers: number | null;
  binding: { id: string; fingerprintHash: string; createdAt: string; lastCheckedAt: string | null } | null;
  history: Array<{
    kind: 'license' | 'machine';
    type: string;
    createdAt: string;
    detail: Record<string, unknown>;
  }>;
}

const statusChange = (action: 'suspend' | 'reinstate', description: string) =>
  leaf<Connection & { reason?: string }>(
    action,
    description,
    (c) =>
      c
        .argument('<license>', 'serial number or license id')
        .option('--reason <text>', 'why, kept in the history'),
    async (o, out, [ref]) => {
      const path = `/v1/licenses/${encodeURIComponent(ref ?? '')}/${action}`;
      const license = unwrap(await connect(o).request<License>('POST', path, { reason: o.reason }));
      out.result(license, () => licenseLine(license));
    },
  );

const licenseCommands = new Command('license')
  .alias('licence')
  .description('Licenses and their serial numbers.')
  .addCommand(
    leaf<Connection & { policy: string; product?: string; count?: number; expires?: string; note?: string }>(
      'create',
      'Issue licenses under a policy.',
      (c) =>
        c
          .requiredOption('--policy <policy>', 'policy id or name')
          .option('--product <product>', 'the product whose policy of that name is meant')
          .option('--count <n>', 'how many (default 1)', integer('--count', 1))
          .option(
            '--expires <date>',
            "expiry: YYYY-MM-DD (valid through that day) or an ISO date-time, instead of the policy's duration",
          )
          .option('--note <text>', 'free text, e.g. customer or order'),
      async (o, out) => {
        const expiresAt = o.expires === undefined ? undefined : expiryOf('--expires', o.expires);
        const body = { policy: o.policy, product: o.product, count: o.count, expiresAt, note: o.note };
        const { licenses } = unwrap(
          await connect(o).request<{ licenses: License[] }>('POST', '/v1/licenses', body),
        );
        out.result({ licenses }, () => licenses.map(licenseLine).join('\n'));
      },
    ),
  )
  .addCommand(
    leaf<Connection & ArchivedFlags & { product?: string; policy?: string; limit?: number; after?: string }>(
      'list',
      'List licenses (archived ones only when asked).',
      (c) =>
        withArchivedFlags(
          c
            .option('--product <product>', 'only this product')
            .option('--policy <policy>', 'only this policy (id, or name within --product)')
            .option('--limit <n>', 'at most this many (default 100)', integer('--limit', 1))
            .option('--after <id>', 'continue after this license id'),
        ),
      async (o, out) => {
        const filter = { product: o.product, policy: o.policy, archived: archivedQuery(o) };
        const path = `/v1/licenses${query({ ...filter, limit: o.limit, after: o.after })}`;
        const { licenses } = unwrap(await connect(o).request<{ licenses: License[] }>('GET', path));
        out.result({ licenses }, () =>
          licenses.length === 0 ? 'No licenses.' : licenses.map(licenseLine).join('\n'),
        );
      },
    ),
  )
  .addCommand(
    leaf<Connection>(
      'show',
      'Show a license, the computer it is bound to, and its history.',
      (c) => c.argument('<license>', 'serial number or license id'),
      async (o, out, [ref]) => {
        const client = connect(o);
        const path = `/v1/licenses/${encodeURIComponent(ref ?? '')}`;
        const details = unwrap(await client.request<LicenseDetails>('GET', path));
        const record = unwrap(
          await client.request<{ sequence: number; contents: Pick<Policy, 'items' | 'counters'> }>(
            'GET',
            `${path}/updates`,
          ),
        );
        const { license: l, maxTransfers, binding, history } = details;
        out.result({ ...details, sequence: record.sequence, contents: record.contents }, () =>
          [
            table([
              ['Serial', l.serial],
              ['License', l.id],
              ['Status', l.status === 'revoked' ? 'revoked (final: cannot be reinstated)' : l.status],
              ['Archived', l.archivedAt ?? 'no'],
              ['Expires', expiryWording(l.expiresAt)],
              ['Transfers used', transfersText(l, maxTransfers)],
              [
                'Bound to',
                binding === null
                  ? 'no computer'
                  : binding.fingerprintHash.startsWith(PROVISIONAL_PREFIX)
                    ? `a computer activated by phone (${binding.fingerprintHash}) since ${binding.createdAt}; completed at its first online check`
                    : `computer ${binding.fingerprintHash.slice(0, 16)}… since ${binding.createdAt}`,
              ],
              ['Last check', binding?.lastCheckedAt ?? '-'],
              ['Update step', String(record.sequence)],
              ['Contents', contentsLine(record.contents.items, record.contents.counters)],
              ['Note', l.note ?? '-'],
            ]),
            '',
            'History:',
            ...history.map(historyLine),
          ].join('\n'),
        );
      },
    ),
  )
  .addCommand(
    statusChange(
      'suspend',
      'Suspend a license: activations and online checks are refused until reinstated (each computer notices at its next online check).',
    ),
  )
  .addCommand(statusChange('reinstate', 'Reinstate a suspended license (a revoked one cannot be).'))
  .addCommand(
    leaf<Connection & { request?: string; serial?: string; code?: string; out?: string }>(
      'unlock',
      'E-mail, fax or phone activation: bind the serial of an activation request (a file, or the serial and request code read out) and make its Unlock Key.',
      (c) =>
        c
          .option('--request <file>', 'the activation request file the customer sent')
          .option('--serial <serial>', 'by phone: the serial the customer gives')
          .option('--code <code>', 'by phone: the activation request code the customer reads out')
          .option('--out <file>', 'with --request: write the Unlock Key file here (to send back)'),
      async (o, out) => {
        if (o.request === undefined) {
          if (o.serial === undefined || o.code === undefined)
            usage(
              'Give the activation request file (--request FILE), or the serial and request code read out on the phone (--serial SERIAL --code CODE).',
            );
          const unlocked = unwrap(
            await connect(o).request<{ serial: string; unlockCode: string }>('POST', '/v1/licenses/unlock', {
              serial: o.serial,
              requestCode: o.code,
            }),
          );
          out.result(
            unlocked,
            () =>
              `Serial ${unlocked.serial} is bound to the calling computer. Read out this Unlock Key code:\n  ${unlocked.unlockCode}`,
          );
          return;
        }
        const request = (await readUserFile(o.request, 'activation request file')).toString('utf8');
        const unlocked = unwrap(
          await connect(o).request<{ serial: string; unlockKey: string }>('POST', '/v1/licenses/unlock', {
            request,
          }),
        );
        if (o.out === undefined) {
          out.result(unlocked, () => unlocked.unlockKey.trimEnd());
          return;
        }
        await writeFile(o.out, unlocked.unlockKey);
        out.result(
          { serial: unlocked.serial, file: o.out },
          () =>
            `Serial ${unlocked.serial} is bound to the requesting computer. Unlock Key written to ${o.out}: send it to the customer.`,
        );
      },
    ),
  );
for (const command of [...licenseEditCommands, ...supportDeskCommands]) licenseCommands.addCommand(command);

const sdkConfig = leaf<Connection & { product: string; policy?: string; out?: string }>(
  'sdk-config',
  'Print (or write) the SDK configuration to ship inside the application.',
  (c) =>
    c
      .requiredOption('--product <product>', 'product id or code')
      .option('--policy <policy>', 'policy (id or name) whose evaluation days apply')
      .option('--out <file>', 'write it to this file'),
  async (o, out) => {
    const path = `/v1/products/${encodeURIComponent(o.product)}/sdk-config${query({ policy: o.policy })}`;
    const config = unwrap(await connect(o).request<Record<string, unknown>>('GET', path));
    if (o.out !== undefined) await writeFile(o.out, `${JSON.stringify(config, null, 2)}\n`);
    out.result(config, () =>
      o.out === undefined ? JSON.stringify(config, null, 2) : `Wrote the SDK configuration to ${o.out}`,
    );
  },
);

export const adminCommand = new Command('admin')
  .description("The vendor's administration, over the server's API.")
  .option('--url <url>', 'vendor server address (KEYWARD_URL)')
  .option('--token <token>', 'admin API token (KEYWARD_TOKEN)')
  .addCommand(productCommands)
  .addCommand(policyCommands)
  .addCommand(licenseCommands)
  .addCommand(sdkConfig)
  .addCommand(updateCommands)
  .addCommand(webhookCommands)
  .addCommand(dealerCommands)
  .addCommand(orderCommands)
  .addCommand(siteAdminCommands)
  .addCommand(renewalCommands)
  .addCommand(tokenCommands)
  .addCommand(auditCommands);
