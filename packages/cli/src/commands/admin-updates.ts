import { writeFile } from 'node:fs/promises';
import { hashPassword, type UpdateOperation } from '@keyward/core';
import { expiryWording } from '@keyward/core/license-container';
import { Command } from 'commander';
import type { AdminClient } from '../admin-client.js';
import { expiryOf, leaf, readUserFile, unwrap, usage } from '../command-kit.js';
import { type Connection, connect } from './admin-connection.js';

interface UpdateOptions extends Connection {
  request?: string;
  serial?: string;
  requestCode?: string;
  license?: string;
  setExpiry?: string;
  addSeats: string[];
  setSeats: string[];
  setCounter: string[];
  incrementCounter: string[];
  decrementCounter: string[];
  setPassword: string[];
  writeMemory: string[];
  deleteMemory: string[];
  verification?: string;
  order?: string;
  out?: string;
}

interface Issued {
  update: { id: string; fromSequence: number; toSequence: number; operations: UpdateOperation[] };
  file: string;
  activationCode?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `name=value` of a flag, `value` a whole number. */
function assignment(flag: string, text: string): { name: string; value: number } {
  const match = /^([a-z][a-z0-9_.-]*)=(\d+)$/.exec(text);
  if (match === null) usage(`${flag} takes name=number, not "${text}".`);
  return { name: match[1] ?? '', value: Number(match[2]) };
}

export function seats(flag: string, text: string): { item: string; kind: string; count: number } {
  const { name, value } = assignment(flag, text);
  const [item, kind, ...rest] = name.split('.');
  if (item === undefined || kind === undefined || rest.length > 0)
    usage(`${flag} takes item.kind=number, e.g. cad.servers=2, not "${text}".`);
  return { item, kind, count: value };
}

/** The operations the flags ask for, in a fixed order: expiry, seats, counters, passwords, memory, verification. */
async function operationsOf(o: UpdateOptions): Promise<UpdateOperation[]> {
  const operations: UpdateOperation[] = [];
  if (o.setExpiry !== undefined) {
    const expiresAt = o.setExpiry === 'never' ? null : expiryOf('--set-expiry', o.setExpiry);
    operations.push({ op: 'set-expiry', expiresAt });
  }
  for (const text of o.addSeats) operations.push({ op: 'add-seats', ...seats('--add-seats', text) });
  for (const text of o.setSeats) operations.push({ op: 'set-seats', ...seats('--set-seats', text) });
  for (const text of o.setCounter) {
    const { name, value } = assignment('--set-counter', text);
    operations.push({ op: 'set-counter', name, value });
  }
  for (const [flag, list, op] of [
    ['--increment-counter', o.incrementCounter, 'increment-counter'],
    ['--decrement-counter', o.decrementCounter, 'decrement-counter'],
  ] as const) {
    for (const text of list) {
      const { name, value } = assignment(flag, text);
      operations.push({ op, name, by: value });
    }
  }
  for (const text of o.setPassword) {
    const at = text.indexOf('=');
    if (at < 1) usage('--set-password takes name=password.');
    // Hashed here: the password itself never leaves the vendor's machine.
    operations.push({ op: 'set-password', name: text.slice(0, at), hash: hashPassword(text.slice(at + 1)) });
  }
  for (const text of o.writeMemory) {
    const at = text.indexOf('=');
    if (at < 1) usage('--write-memory takes name=text or name=@file.');
    const value = text.slice(at + 1);
    const data = value.startsWith('@')
      ? await readUserFile(value.slice(1), 'memory object file')
      : Buffer.from(value, 'utf8');
    operations.push({ op: 'write-memory', name: text.slice(0, at), data: data.toString('base64') });
  }
  for (const name of o.deleteMemory) operations.push({ op: 'delete-memory', name });
  if (o.verification !== undefined) {
    if (o.verification !== 'off' && o.verification !== 'ongoing') usage('--verification is off or ongoing.');
    operations.push({ op: 'set-verification', verification: o.verification });
  }
  if (operations.length === 0)
    usage('Say what the update changes: --set-expiry, --add-seats, --set-counter... (see --help).');
  return operations;
}

async function issue(client: AdminClient, o: UpdateOptions, operations: UpdateOperation[]): Promise<Issued> {
  const sources = [o.request, o.requestCode, o.license].filter((source) => source !== undefined).length;
  if (sources !== 1)
    usage('Give one of --request FILE, --serial with --request-code, or --license (for an online update).');
  if (o.request !== undefined) {
    const request = (await readUserFile(o.request, 'request file')).toString('utf8');
    return unwrap(
      await client.request<Issued>('POST', '/v1/updates', { request, operations, orderRef: o.order }),
    );
  }
  if (o.requestCode !== undefined) {
    if (o.serial === undefined) usage('--request-code needs the --serial it was read for.');
    const body = { serial: o.serial, requestCode: o.requestCode, operations, orderRef: o.order };
    return unwrap(await client.request<Issued>('POST', '/v1/updates', body));
  }
  const path = `/v1/licenses/${encodeURIComponent(o.license ?? '')}/updates`;
  return unwrap(await client.request<Issued>('POST', path, { operations, orderRef: o.order }));
}

const create = leaf<UpdateOptions>(
  'create',
  'Issue an update: from a request file (Key Upgrade file out), a request code (activation code out), or for a license to pull online.',
  (c) =>
    c
      .option('--request <file>', 'the request file the customer sent (KeyUpload.dat)')
      .option('--serial <serial>', 'with --request-code: the serial it was read for')
      .option('--request-code <code>', 'the request code the customer read out')
      .option('--license <license>', 'no request: queue the update for the license to pull online')
      .option(
        '--set-expiry <date>',
        'new expiry: YYYY-MM-DD (valid through that day), an ISO date-time, or "never"',
      )
      .option('--add-seats <item.kind=n>', 'add seats (repeatable)', collect, [])
      .option('--set-seats <item.kind=n>', 'set seats (repeatable)', collect, [])
      .option('--set-counter <name=n>', 'set a usage counter (repeatable)', collect, [])
      .option('--increment-counter <name=n>', 'raise a usage counter (repeatable)', collect, [])
      .option('--decrement-counter <name=n>', 'lower a usage counter (repeatable)', collect, [])
      .option(
        '--set-password <name=password>',
        'set an application password, hashed before sending (repeatable)',
        collect,
        [],
      )
      .option('--write-memory <name=text|name=@file>', 'write a memory object (repeatable)', collect, [])
      .option('--delete-memory <name>', 'delete a memory object (repeatable)', collect, [])
      .option('--verification <mode>', 'ongoing or off')
      .option('--order <ref>', 'order reference kept with the update')
      .option('--out <file>', 'write the update file here (KeyUpgrade.dat)'),
  async (o, out) => {
    const issued = await issue(connect(o), o, await operationsOf(o));
    if (o.out !== undefined) await writeFile(o.out, issued.file);
    out.result(issued, () =>
      [
        `Issued update ${issued.update.id}: step ${issued.update.fromSequence} -> ${issued.update.toSequence}.`,
        ...(issued.activationCode === undefined ? [] : [`Activation code: ${issued.activationCode}`]),
        o.out !== undefined
          ? `Update file written to ${o.out}.`
          : o.license !== undefined
            ? 'The key receives it at its next online update.'
            : issued.activationCode === undefined
              ? issued.file.trimEnd()
              : '(The same update as a file: --out FILE.)',
      ].join('\n'),
    );
  },
);

type Listed = Issued['update'] & {
  transport: 'file' | 'code' | 'online';
  applied: boolean;
  createdAt: string;
};

/** An operation by its name; an expiry as every command prints it. */
const operationText = (op: UpdateOperation) =>
  op.op === 'set-expiry' ? `set-expiry (${expiryWording(op.expiresAt)})` : op.op;

const TRANSPORTS: Readonly<Record<Listed['transport'], string>> = {
  file: 'by file',
  code: 'by code',
  online: 'online',
};

const list = leaf<Connection>(
  'list',
  "A license's update step and its updates: how each travels, and whether the key has applied it (a container reported its step).",
  (c) => c.argument('<license>', 'serial number or license id'),
  async (o, out, [ref]) => {
    const history = unwrap(
      await connect(o).request<{ sequence: number; reportedSequence: number; updates: Listed[] }>(
        'GET',
        `/v1/licenses/${encodeURIComponent(ref ?? '')}/updates`,
      ),
    );
    out.result(history, () =>
      [
        `Update step ${history.sequence}; the key reported step ${history.reportedSequence}.`,
        ...history.updates.map(
          (update) =>
            `  ${update.id}  ${update.fromSequence} -> ${update.toSequence}  ${TRANSPORTS[update.transport].padEnd(7)}  ${update.applied ? 'applied    ' : 'not applied'}  ${update.operations.map(operationText).join(', ')}`,
        ),
      ].join('\n'),
    );
  },
);

const file = leaf<Connection & { out?: string }>(
  'file',
  "An issued update's file again (to e-mail it, or for a key that stays offline while updates were queued online).",
  (c) =>
    c
      .argument('<update>', 'update id (upd_...), as `update list` shows')
      .option('--out <file>', 'write it here'),
  async (o, out, [id]) => {
    const { file: text } = unwrap(
      await connect(o).request<{ file: string }>('GET', `/v1/updates/${encodeURIComponent(id ?? '')}/file`),
    );
    if (o.out !== undefined) await writeFile(o.out, text);
    out.result({ file: text }, () =>
      o.out === undefined ? text.trimEnd() : `Update file written to ${o.out}.`,
    );
  },
);

export const updateCommands = new Command('update')
  .description('Remote updates of license containers.')
  .addCommand(create)
  .addCommand(list)
  .addCommand(file);
