import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateAuthorizationNumber } from '@keyward/core';
import { json, keyward, refusal } from './support/cli.js';
import { type Issued, startTestVendor, type TestVendor } from './support/vendor-server.js';

interface Order {
  id: string;
  state: string;
  daysLeft: number | null;
  description: string;
}

describe('orders with the keyward command: the vendor, and the online upgrade on the customer computer', () => {
  let vendor: TestVendor;
  let issued: Issued;
  let root: string;
  let admin: Record<string, string>;
  let customer: Record<string, string>;

  before(async () => {
    vendor = await startTestVendor();
    issued = await vendor.issue({ items: { cad: { servers: 1, nodes: 64 } } }, 1);
    root = await mkdtemp(join(tmpdir(), 'keyward-orders-cli-'));
    const sdkConfig = join(root, 'keyward-sdk.json');
    await writeFile(sdkConfig, JSON.stringify(issued.sdkConfig));
    admin = { HOME: root, KEYWARD_URL: vendor.url, KEYWARD_TOKEN: vendor.token };
    customer = {
      HOME: root,
      KEYWARD_SDK_CONFIG: sdkConfig,
      KEYWARD_HOME: join(root, 'customer'),
      KEYWARD_ANCHOR_DIR: join(root, 'anchors'),
      KEYWARD_MARKER_DIR: join(root, 'marker'),
      KEYWARD_FINGERPRINT: 'customer-pc',
    };
    await json(['key', 'activate', issued.licenses[0]?.serial ?? ''], customer);
  });
  after(async () => {
    await vendor.close();
    await rm(root, { recursive: true, force: true });
  });

  it('dealer create and list, order create, authorize, show, then key upgrade --order --auth', async () => {
    const made = await json<{ dealer: { login: string }; password: string }>(
      [
        'admin',
        'dealer',
        'create',
        '--login',
        'acme',
        '--name',
        'Acme Resellers',
        '--email',
        'orders@acme.example',
      ],
      admin,
    );
    assert.match(made.password, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const listed = await keyward(['admin', 'dealer', 'list'], admin);
    assert.match(listed.stdout, /acme\s+Acme Resellers <orders@acme\.example>/);

    const order = await json<Order>(
      [
        'admin',
        'order',
        'create',
        '--dealer',
        'acme',
        '--product',
        issued.product.code,
        '--add',
        'cad.servers=1',
        '--add',
        'cad.nodes=448',
      ],
      admin,
    );
    assert.deepEqual([order.state, order.description], ['created', '1 more server and 448 more nodes']);
    const { authorizationNumber } = await json<{ authorizationNumber: string }>(
      ['admin', 'order', 'authorize', order.id],
      admin,
    );
    const shown = await keyward(['admin', 'order', 'show', order.id], admin);
    assert.match(shown.stdout, /State\s+authorized, 14 day\(s\) left/);
    assert.match(shown.stdout, /Adds\s+1 more server and 448 more nodes/);

    assert.equal(
      await refusal(
        ['key', 'upgrade', '--order', order.id, '--auth', generateAuthorizationNumber()],
        customer,
      ),
      'AUTHORIZATION_INVALID',
    );
    const upgraded = await json<{
      upgrade: Array<{ kind: string; from: number; to: number }>;
      toSequence: number;
    }>(['key', 'upgrade', '--order', order.id, '--auth', authorizationNumber], customer);
    assert.deepEqual(
      upgraded.upgrade.map(({ kind, from, to }) => `${kind} ${from} -> ${to}`),
      ['servers 1 -> 2', 'nodes 64 -> 512'],
    );
    const status = await json<{ contents: { items: { cad: Record<string, number> } } }>(
      ['key', 'status'],
      customer,
    );
    assert.deepEqual(status.contents.items.cad, { servers: 2, nodes: 512 });
    assert.equal(
      await refusal(['key', 'upgrade', '--order', order.id, '--auth', authorizationNumber], customer),
      'ORDER_PROCESSED',
    );
    const { orders } = await json<{ orders: Order[] }>(
      ['admin', 'order', 'list', '--state', 'processed'],
      admin,
    );
    assert.deepEqual(
      orders.map((o) => o.id),
      [order.id],
    );
  });

  it('order cancel, and an order list in words', async () => {
    const order = await json<Order>(
      [
        'admin',
        'order',
        'create',
        '--dealer',
        'acme',
        '--product',
        issued.product.code,
        '--add',
        'cad.nodes=8',
      ],
      admin,
    );
    await json(['admin', 'order', 'authorize', order.id], admin);
    const cancelled = await json<Order>(['admin', 'order', 'cancel', order.id], admin);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(await refusal(['admin', 'order', 'cancel', order.id], admin), 'ORDER_CANCELLED');
    assert.equal(await refusal(['admin', 'order', 'show', 'ord_nothing'], admin), 'ORDER_NOT_FOUND');
    assert.equal(
      await refusal(
        [
          'admin',
          'order',
          'create',
          '--dealer',
          'acme',
          '--product',
          issued.product.code,
          '--add',
          'cad.nodes',
        ],
        admin,
      ),
      'VALIDATION_FAILED',
    );
    const list = await keyward(['admin', 'order', 'list', '--dealer', 'acme'], admin);
    assert.match(
      list.stdout,
      new RegExp(`${order.id}\\s+cancelled\\s+acme\\s+${issued.product.code}: 8 more nodes`),
    );
    assert.match(list.stdout, /processed\s+acme\s+.*1 more server and 448 more nodes/);
  });
});
