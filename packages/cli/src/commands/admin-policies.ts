import type { Policy } from '@keyward/core';
import { Command, InvalidArgumentError } from 'commander';
import {
  type ArchivedFlags,
  archivedMark,
  archivedQuery,
  integer,
  leaf,
  query,
  unwrap,
  usage,
  withArchivedFlags,
} from '../command-kit.js';
import { contentsLine } from '../license-format.js';
import { type Connection, connect } from './admin-connection.js';

const policyLine = (p: Policy) =>
  `${p.id}  ${p.name}${archivedMark(p)}: check every ${p.checkIntervalDays} d (grace ${p.graceDays} d), evaluation ${p.evaluationDays} d, ` +
  `transfers ${p.maxTransfers ?? 'unlimited'}, verification ${p.verification}, ` +
  `${p.durationDays === null ? 'perpetual' : `${p.durationDays} d`}; ${contentsLine(p.items, p.counters)}`;

/**
 * A number, or the word that means "no limit". The word is kept as it is and becomes null only in
 * the request body: commander turns an option value of null into an empty string.
 */
const orUnlimited =
  <W extends string>(flag: string, word: W, minimum: number) =>
  (text: string): number | W => {
    if (text === word) return word;
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum)
      throw new InvalidArgumentError(`${flag} is a whole number >= ${minimum} or "${word}".`);
    return value;
  };

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

const PERPETUAL = 'perpetual';
const UNLIMITED = 'unlimited';

/** A limit as the API takes it: null for none. */
const limitOf = <W extends string>(value: number | W | undefined) =>
  typeof value === 'string' ? null : value;

const collect = (value: string, previous: string[]) => [...previous, value];

/** The terms read when a license is issued: flags shared by `create` and `edit`. */
function withIssueTerms(c: Command, defaults: boolean): Command {
  const dflt = (text: string) => (defaults ? ` (default ${text})` : '');
  return c
    .option(
      '--evaluation-days <days>',
      `evaluation period without a serial, shipped in the SDK configuration${dflt('30')}`,
      integer('--evaluation-days', 0),
    )
    .option('--verification <mode>', `ongoing (periodic online checks) or off${dflt('ongoing')}`)
    .option(
      '--duration-days <days>',
      `license lifetime in days, or "perpetual"${dflt('perpetual')}`,
      orUnlimited('--duration-days', PERPETUAL, 1),
    )
    .option(
      '--item <item.kind=n>',
      `licensed item and its seats, e.g. cad.servers=2 (repeatable${defaults ? '' : '; replaces the items'})`,
      collect,
      [],
    )
    .option(
      '--counter <name=n>',
      `usage counter each license starts with, e.g. exports=100 (repeatable${defaults ? '' : '; replaces the counters'})`,
      collect,
      [],
    );
}

interface IssueTermOptions {
  evaluationDays?: number;
  verification?: string;
  durationDays?: number | typeof PERPETUAL;
  item: string[];
  counter: string[];
}

function issueTerms(o: IssueTermOptions) {
  return {
    evaluationDays: o.evaluationDays,
    verification: o.verification,
    durationDays: limitOf(o.durationDays),
    items: o.item.length === 0 ? undefined : itemsOf(o.item),
    counters: o.counter.length === 0 ? undefined : countersOf(o.counter),
  };
}

interface CreateOptions extends Connection, IssueTermOptions {
  product: string;
  name: string;
  checkIntervalDays?: number;
  maxTransfers?: number | typeof UNLIMITED;
  graceDays?: number;
}

const create = leaf<CreateOptions>(
  'create',
  'Create a policy for a product (its name is unique within the product).',
  (c) =>
    withIssueTerms(
      c
        .requiredOption('--product <product>', 'product id or code')
        .requiredOption('--name <name>', 'policy name, unique within the product')
        .option(
          '--check-interval-days <days>',
          'days between online checks (default 30)',
          integer('--check-interval-days', 1),
        )
        .option(
          '--max-transfers <n>',
          'transfers per license, or "unlimited" (default 3)',
          orUnlimited('--max-transfers', UNLIMITED, 0),
        )
        .option(
          '--grace-days <days>',
          'days the application keeps running when a due online check cannot reach the server (default 7)',
          integer('--grace-days', 0),
        ),
      true,
    ),
  async (o, out) => {
    const body = {
      product: o.product,
      name: o.name,
      checkIntervalDays: o.checkIntervalDays,
      maxTransfers: limitOf(o.maxTransfers),
      graceDays: o.graceDays,
      ...issueTerms(o),
    };
    const policy = unwrap(await connect(o).request<Policy>('POST', '/v1/policies', body));
    out.result(policy, () => `Created policy ${policyLine(policy)}`);
  },
);

const list = leaf<Connection & ArchivedFlags & { product?: string }>(
  'list',
  'List policies (archived ones only when asked).',
  (c) => withArchivedFlags(c.option('--product <product>', 'only this product')),
  async (o, out) => {
    const path = `/v1/policies${query({ product: o.product, archived: archivedQuery(o) })}`;
    const { policies } = unwrap(await connect(o).request<{ policies: Policy[] }>('GET', path));
    out.result({ policies }, () =>
      policies.length === 0 ? 'No policies.' : policies.map(policyLine).join('\n'),
    );
  },
);

const policyPath = (ref: string | undefined, product: string | undefined, action = '') =>
  `/v1/policies/${encodeURIComponent(ref ?? '')}${action}${query({ product })}`;

const edit = leaf<Connection & IssueTermOptions & { product?: string; name?: string }>(
  'edit',
  'Rename a policy, or change the terms of licenses issued under it from now on. Licenses already issued keep ' +
    'theirs (they change only by updates). Check interval, grace days and transfer limit cannot be edited: ' +
    'every issued license reads them at its online checks; create a new policy instead.',
  (c) =>
    withIssueTerms(
      c
        .argument('<policy>', 'policy id or name')
        .option('--product <product>', 'the product whose policy of that name is meant')
        .option('--name <name>', 'new name, unique within the product'),
      false,
    ),
  async (o, out, [ref]) => {
    const body = { name: o.name, ...issueTerms(o) };
    if (Object.values(body).every((value) => value === undefined))
      usage(
        'Say what to change: --name, --evaluation-days, --verification, --duration-days, --item or --counter.',
      );
    const policy = unwrap(await connect(o).request<Policy>('PATCH', policyPath(ref, o.product), body));
    out.result(policy, () => `Edited policy ${policyLine(policy)}`);
  },
);

const archive = leaf<Connection & { product?: string; reason?: string }>(
  'archive',
  'Archive a policy: no new licenses are issued under it; the licenses it has keep working.',
  (c) =>
    c
      .argument('<policy>', 'policy id or name')
      .option('--product <product>', 'the product whose policy of that name is meant')
      .option('--reason <text>', 'why, kept in the audit log'),
  async (o, out, [ref]) => {
    const path = policyPath(ref, o.product, '/archive');
    const policy = unwrap(await connect(o).request<Policy>('POST', path, { reason: o.reason }));
    out.result(policy, () => `Archived policy ${policyLine(policy)}`);
  },
);

export const policyCommands = new Command('policy')
  .description('Policies: the rules licenses are issued under.')
  .addCommand(create)
  .addCommand(list)
  .addCommand(edit)
  .addCommand(archive);
