import { Command } from 'commander';
import { leaf, unwrap } from '../command-kit.js';
import { table } from '../output.js';
import { type Connection, connect } from './admin-connection.js';
import { seats } from './admin-updates.js';

interface Dealer {
  id: string;
  login: string;
  name: string;
  email: string;
  createdAt: string;
}

interface Order {
  id: string;
  dealerLogin: string;
  productCode: string;
  licenseSerial: string | null;
  description: string;
  state: string;
  daysLeft: number | null;
  createdAt: string;
  authorizedAt: string | null;
  expiresAt: string | null;
  closedAt: string | null;
  updateId: string | null;
  failedAttempts: number;
  locked: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const dealerLine = (d: Dealer) => `${d.login.padEnd(20)} ${d.name} <${d.email}>  (${d.id})`;

function stateText(order: Order): string {
  const left = order.daysLeft === null ? '' : `, ${order.daysLeft} day(s) left`;
  return `${order.state}${left}${order.locked ? ', locked' : ''}`;
}

const orderLine = (o: Order) =>
  `${o.id}  ${stateText(o).padEnd(28)} ${o.dealerLogin.padEnd(16)} ${o.productCode}: ${o.description}`;

function orderDetails(order: Order): string {
  return table([
    ['Order', order.id],
    ['State', stateText(order)],
    ['Dealer', order.dealerLogin],
    ['Product', order.productCode],
    ['License', order.licenseSerial ?? 'any key of the product'],
    ['Adds', order.description],
    ['Created', order.createdAt],
    ['Authorized', order.authorizedAt ?? '-'],
    ['Expires', order.expiresAt ?? '-'],
    ['Closed', order.closedAt ?? '-'],
    ['Update', order.updateId ?? '-'],
    ['Wrong numbers', String(order.failedAttempts)],
  ]);
}

const path = (id: string | undefined, action = '') => `/v1/orders/${encodeURIComponent(id ?? '')}${action}`;

export const dealerCommands = new Command('dealer')
  .description('Dealers and distributors, who process upgrade orders in the portal.')
  .addCommand(
    leaf<Connection & { login: string; name: string; email: string; password?: string }>(
      'create',
      'Create a dealer account (a password is made and shown once unless --password is given).',
      (c) =>
        c
          .requiredOption('--login <login>', 'what the dealer logs in with, e.g. acme')
          .requiredOption('--name <name>', "the dealer's name")
          .requiredOption('--email <address>', 'where order e-mails go')
          .option('--password <password>', 'at least 12 characters'),
      async (o, out) => {
        const body = { login: o.login, name: o.name, email: o.email, password: o.password };
        const created = unwrap(
          await connect(o).request<{ dealer: Dealer; password?: string }>('POST', '/v1/dealers', body),
        );
        out.result(created, () =>
          [
            `Created dealer ${dealerLine(created.dealer)}`,
            ...(created.password === undefined
              ? []
              : [`Password (shown only this once; give it to the dealer): ${created.password}`]),
          ].join('\n'),
        );
      },
    ),
  )
  .addCommand(
    leaf<Connection>(
      'list',
      'List dealers.',
      (c) => c,
      async (o, out) => {
        const { dealers } = unwrap(await connect(o).request<{ dealers: Dealer[] }>('GET', '/v1/dealers'));
        out.result({ dealers }, () =>
          dealers.length === 0 ? 'No dealers yet.' : dealers.map(dealerLine).join('\n'),
        );
      },
    ),
  );

const create = leaf<Connection & { dealer: string; product: string; license?: string; add: string[] }>(
  'create',
  'Create an upgrade order for a dealer: what it adds to a key of the product.',
  (c) =>
    c
      .requiredOption('--dealer <dealer>', "the dealer's login or id")
      .requiredOption('--product <product>', 'product code or id')
      .option('--license <serial>', 'the one license the order upgrades (default: any key of the product)')
      .option(
        '--add <item.kind=count>',
        'seats the order adds, e.g. cad.nodes=448 (repeatable)',
        collect,
        [],
      ),
  async (o, out) => {
    const items = o.add.map((text) => seats('--add', text));
    const body = { dealer: o.dealer, product: o.product, license: o.license, items };
    const order = unwrap(await connect(o).request<Order>('POST', '/v1/orders', body));
    out.result(
      order,
      () =>
        `Created order ${order.id}: ${order.description}.\nAuthorize it with: keyward admin order authorize ${order.id}`,
    );
  },
);

const authorize = leaf<Connection>(
  'authorize',
  'Authorize an order: the dealer has 14 days to process it with its authorization number.',
  (c) => c.argument('<order>', 'order id (ord_...)'),
  async (o, out, [id]) => {
    const answer = unwrap(
      await connect(o).request<{ order: Order; authorizationNumber: string }>(
        'POST',
        path(id, '/authorize'),
        {},
      ),
    );
    out.result(answer, () =>
      [
        `Order ${answer.order.id} authorized; it expires unprocessed at ${answer.order.expiresAt}.`,
        `Authorization number (shown only this once): ${answer.authorizationNumber}`,
      ].join('\n'),
    );
  },
);

const change = (name: string, description: string, done: string) =>
  leaf<Connection>(
    name,
    description,
    (c) => c.argument('<order>', 'order id (ord_...)'),
    async (o, out, [id]) => {
      const order = unwrap(await connect(o).request<Order>('POST', path(id, `/${name}`), {}));
      out.result(order, () => `Order ${order.id} ${done}.\n\n${orderDetails(order)}`);
    },
  );

const list = leaf<Connection & { dealer?: string; state?: string }>(
  'list',
  'List orders with their state and the days left to process them.',
  (c) =>
    c
      .option('--dealer <dealer>', "only this dealer's (login or id)")
      .option(
        '--state <state>',
        'only orders in this state: created, authorized, processed, expired, cancelled',
      ),
  async (o, out) => {
    const query = new URLSearchParams(
      Object.entries({ dealer: o.dealer, state: o.state }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ).toString();
    const { orders } = unwrap(
      await connect(o).request<{ orders: Order[] }>('GET', `/v1/orders${query === '' ? '' : `?${query}`}`),
    );
    out.result({ orders }, () => (orders.length === 0 ? 'No orders.' : orders.map(orderLine).join('\n')));
  },
);

const show = leaf<Connection>(
  'show',
  'Show one order.',
  (c) => c.argument('<order>', 'order id (ord_...)'),
  async (o, out, [id]) => {
    const order = unwrap(await connect(o).request<Order>('GET', path(id)));
    out.result(order, () => orderDetails(order));
  },
);

export const orderCommands = new Command('order')
  .description("Dealers' upgrade orders: created, authorized, then processed, expired or cancelled.")
  .addCommand(create)
  .addCommand(authorize)
  .addCommand(change('cancel', 'Cancel an order that is not processed yet.', 'cancelled'))
  .addCommand(
    change('unlock', 'Let an order locked by wrong authorization numbers be tried again.', 'unlocked'),
  )
  .addCommand(list)
  .addCommand(show);
