import type { Product } from '@keyward/core';
import { Command } from 'commander';
import {
  type ArchivedFlags,
  archivedMark,
  archivedQuery,
  leaf,
  query,
  unwrap,
  withArchivedFlags,
} from '../command-kit.js';
import { type Connection, connect } from './admin-connection.js';

const productLine = (p: Product) => `${p.code.padEnd(20)} ${p.name}  (${p.id})${archivedMark(p)}`;

const productPath = (ref: string | undefined, action = '') =>
  `/v1/products/${encodeURIComponent(ref ?? '')}${action}`;

const create = leaf<Connection & { code: string; name: string }>(
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
);

const list = leaf<Connection & ArchivedFlags>(
  'list',
  'List products (archived ones only when asked).',
  withArchivedFlags,
  async (o, out) => {
    const path = `/v1/products${query({ archived: archivedQuery(o) })}`;
    const { products } = unwrap(await connect(o).request<{ products: Product[] }>('GET', path));
    out.result({ products }, () =>
      products.length === 0 ? 'No products.' : products.map(productLine).join('\n'),
    );
  },
);

const edit = leaf<Connection & { name: string }>(
  'edit',
  "Rename a product. Its code stays: the application's SDK configuration and every license carry it.",
  (c) => c.argument('<product>', 'product id or code').requiredOption('--name <name>', 'new display name'),
  async (o, out, [ref]) => {
    const product = unwrap(await connect(o).request<Product>('PATCH', productPath(ref), { name: o.name }));
    out.result(product, () => `Edited product ${productLine(product)}`);
  },
);

const archive = leaf<Connection & { reason?: string }>(
  'archive',
  'Archive a product: it takes no new policies or licenses; the licenses it has keep working.',
  (c) =>
    c.argument('<product>', 'product id or code').option('--reason <text>', 'why, kept in the audit log'),
  async (o, out, [ref]) => {
    const body = { reason: o.reason };
    const product = unwrap(await connect(o).request<Product>('POST', productPath(ref, '/archive'), body));
    out.result(product, () => `Archived product ${productLine(product)}`);
  },
);

export const productCommands = new Command('product')
  .description('Products that licenses are issued for.')
  .addCommand(create)
  .addCommand(list)
  .addCommand(edit)
  .addCommand(archive);
