import { writeFile } from 'node:fs/promises';
import { type License, type Policy, PROVISIONAL_PREFIX, type Product } from '@keyward/core';
import { Command, InvalidArgumentError } from 'commander';
import { expiryOf, integer, leaf, readUserFile, unwrap, usage } from '../command-kit.js';
import { expiryText } from '../key-status-format.js';
import { byText, licenseLine, transfersText } from '../license-format.js';
import { table } from '../output.js';
import { auditCommands } from './admin-audit.js';
import { type Connection, connect } from './admin-connection.js';
import { dealerCommands, orderCommands } from './admin-orders.js';
import { renewalCommands } from './admin-renewals.js';
import { siteAdminCommands } from './admin-sites.js';
import { supportDeskCommands } from './admin-support.js';
import { tokenCommands } from './admin-tokens.js';
import { updateCommands } from './admin-updates.js';
import { webhookCommands } from './admin-webhooks.js';

const query = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  return entries.length === 0
    ? ''
    : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
};

const productLine = (p: Product) => `${p.code.padEnd(20)} ${p.name}  (${p.id})`;
const contentsLine = (items: Policy['items'], counters: Policy['counters']) => {
  const seats = Object.entries(items).map(
    ([item, kinds]) =>
      `${item}(${Object.entries(kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
  );
  const uses = Object.entries(counters).map(([name, value]) => `${name} ${value}`);
  return [...seats, ...uses].join('; ') || 'no items';
};
const policyLine = (p: Policy) =>
  `${p.id}  ${p.name}: check every ${p.checkIntervalDays} d (grace ${p.graceDays} d), evaluation ${p.evaluationDays} d, ` +
  `transfers ${p.maxTransfers ?? 'unlimited'}, verification ${p.verification}, ` +
  `${p.durationDays === null ? 'perpetual' : `${p.durationDays} d`}; ${contentsLine(p.items, p.counters)}`;

const productCommands = new Command('product')
  .description('Products that licenses are issued for.')
  .addCommand(
    leaf<Connection & { code: string; name: string }>(
      'create',
      'Create a product.',
      (c) =>
        c
          .requiredOption('--code <code>', 'short stable code, e.g. cad-pro')
          .requiredOption('--name <name>', 'display name'),
      async (o, out) => {
        const product = unwrap(
          await connect(o).request<Product>('POST', '/v1/products', { code: o.code, name: o.name }),
        );
        out.result(product, () => `Created product ${productLine(product)}`);
      },
    ),
  )
  .addCommand(
    leaf<Connection>(
      'list',
      'List products.',
      (c) => c,
      async (o, out) => {
        const { products } = unwrap(await connect(o).request<{ products: Product[] }>('GET', '/v1/products'));
        out.result({ products }, () =>
          products.length === 0 ? 'No products yet.' : products.map(productLine).join('\n'),
        );
      },
    ),
  );

const transfers = (text: string): number | null => {
  if (text === 'unlimited') return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidArgumentError('--max-transfers is a whole number or "unlimited".');
  return value;
};

interface PolicyOptions extends Connection {
  product: string;
  name: string;
  checkIntervalDays?: number;
  evaluationDays?: number;
  maxTransfers?: number | null;
  graceDays?: number;
  verification?: string;
  durationDays?: number;
  item: string[];
  counter: string[];
}

/** `--item cad.servers=2 --item cad.nodes=10` as `{ cad: { servers: 2, nodes: 10 } }`. */
function itemsOf(flags: readonly string[]): Record<string, Record<string, number>> {
  const items: Record<string, Record<string, number>> = {};
  for (const flag of flags) {
    const match = /^([a-z][a-z0-9_-]*)\.([a-z][a-z0-9_-]*)=(\d+)$/.exec(flag);
    if (match === null) usage(`--item takes item.kind=number, e.g. cad.servers=2, not "${flag}".`);
    const [, item = '', kind = '', count = '0'] = match;
    items[item] = { ...items[item], [kind]: Number(count) };
  }
  return items;
}

function countersOf(flags: readonly string[]): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const flag of flags) {
    const match = /^([a-z][a-z0-9_-]*)=(\d+)$/.exec(flag);
    if (match === null) usage(`--counter takes name=number, e.g. exports=100, not "${flag}".`);
    counters[match[1] ?? ''] = Number(match[2]);
  }
  return counters;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const policyCommands = new Command('policy')
  .description('Policies: the rules licenses are issued under.')
  .addCommand(
    leaf<PolicyOptions>(
      'create',
      'Create a policy for a product.',
      (c) =>
        c
          .requiredOption('--product <product>', 'product id or code')
          .requiredOption('--name <name>', 'policy name')
          .option(
            '--check-interval-days <days>',
            'days between online checks (default 30)',
            integer('--check-interval-days', 1),
          )
          .option(
            '--evaluation-days <days>',
            'evaluation period without a serial (default 30)',
            integer('--evaluation-days', 0),
          )
          .option('--max-transfers <n>', 'transfers per license, or "unlimited" (default 3)', transfers)
          .option(
            '--grace-days <days>',
            'days the application keeps running when a due online check cannot reach the server (default 7)',
            integer('--grace-days', 0),
          )
          .option('--verification <mode>', 'ongoing (periodic online checks) or off (default ongoing)')
          .option(
            '--duration-days <days>',
            'license lifetime (default perpetual)',
            integer('--duration-days', 1),
          )
          .option(
            '--item <item.kind=n>',
            'licensed item and its seats, e.g. cad.servers=2 (repeatable)',
            collect,
            [],
          )
          .option(
            '--counter <name=n>',
            'usage counter each license starts with, e.g. exports=100 (repeatable)',
            collect,
            [],
          ),
      async (o, out) => {
        const body = {
          product: o.product,
          name: o.name,
          checkIntervalDays: o.checkIntervalDays,
          evaluationDays: o.evaluationDays,
          maxTransfers: o.maxTransfers,
          graceDays: o.graceDays,
          verification: o.verification,
          durationDays: o.durationDays,
          items: itemsOf(o.item),
          counters: countersOf(o.counter),
        };
        const policy = unwrap(await connect(o).request<Policy>('POST', '/v1/policies', body));
        out.result(policy, () => `Created policy ${policyLine(policy)}`);
      },
    ),
  )
  .addCommand(
    leaf<Connection & { product?: string }>(
      'list',
      'List policies.',
      (c) => c.option('--product <product>', 'only this product'),
      async (o, out) => {
        const { policies } = unwrap(
          await connect(o).request<{ policies: Policy[] }>(
            'GET',
            `/v1/policies${query({ product: o.product })}`,
          ),
        );
        out.result({ policies }, () =>
          policies.length === 0 ? 'No policies yet.' : policies.map(policyLine).join('\n'),
        );
      },
    ),
  );

interface LicenseDetails {
  license: License;
  /** The effective limit: the policy's plus the transfers granted. */
  maxTransfers: number | null;
  binding: { id: string; fingerprintHash: string; createdAt: string; lastCheckedAt: string | null } | null;
  history: Array<{ type: string; createdAt: string; detail: Record<string, unknown> }>;
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
    leaf<Connection & { policy: string; count?: number; expires?: string; note?: string }>(
      'create',
      'Issue licenses under a policy.',
      (c) =>
        c
          .requiredOption('--policy <policy>', 'policy id')
          .option('--count <n>', 'how many (default 1)', integer('--count', 1))
          .option(
            '--expires <date>',
            "expiry: YYYY-MM-DD (valid through that day) or an ISO date-time, instead of the policy's duration",
          )
          .option('--note <text>', 'free text, e.g. customer or order'),
      async (o, out) => {
        const expiresAt = o.expires === undefined ? undefined : expiryOf('--expires', o.expires);
        const body = { policy: o.policy, count: o.count, expiresAt, note: o.note };
        const { licenses } = unwrap(
          await connect(o).request<{ licenses: License[] }>('POST', '/v1/licenses', body),
        );
        out.result({ licenses }, () => licenses.map(licenseLine).join('\n'));
      },
    ),
  )
  .addCommand(
    leaf<Connection & { product?: string; policy?: string; limit?: number; after?: string }>(
      'list',
      'List licenses.',
      (c) =>
        c
          .option('--product <product>', 'only this product')
          .option('--policy <policy>', 'only this policy')
          .option('--limit <n>', 'at most this many (default 100)', integer('--limit', 1))
          .option('--after <id>', 'continue after this license id'),
      async (o, out) => {
        const path = `/v1/licenses${query({ product: o.product, policy: o.policy, limit: o.limit, after: o.after })}`;
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
              ['Expires', expiryText(l.expiresAt)],
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
            ...history.map((event) => {
              const reason = typeof event.detail.reason === 'string' ? `: ${event.detail.reason}` : '';
              return `  ${event.createdAt}  ${event.type}${reason}${byText(event.detail)}`;
            }),
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
for (const command of supportDeskCommands) licenseCommands.addCommand(command);

const sdkConfig = leaf<Connection & { product: string; policy?: string; out?: string }>(
  'sdk-config',
  'Print (or write) the SDK configuration to ship inside the application.',
  (c) =>
    c
      .requiredOption('--product <product>', 'product id or code')
      .option('--policy <policy>', 'policy whose evaluation days apply')
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
