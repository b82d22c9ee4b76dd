import {
  type ApiTokenRecord,
  isTokenScope,
  TOKEN_SCOPES,
  type TokenScope,
  type TokenState,
} from '@keyward/core';
import { expiryWording } from '@keyward/core/license-container';
import { Command, InvalidArgumentError } from 'commander';
import { expiryOf, leaf, unwrap } from '../command-kit.js';
import { printable } from '../output.js';
import { type Connection, connect } from './admin-connection.js';

type TokenRecord = ApiTokenRecord & { readonly state: TokenState };

const scope = (text: string): TokenScope => {
  if (!isTokenScope(text)) throw new InvalidArgumentError(`--scope is one of ${TOKEN_SCOPES.join(', ')}.`);
  return text;
};

const tokenLine = (t: TokenRecord) => {
  const until =
    t.state === 'revoked'
      ? `revoked ${t.revokedAt?.slice(0, 10)}`
      : t.expiresAt === null
        ? 'no expiry'
        : `${t.state === 'expired' ? 'expired, ' : ''}${expiryWording(t.expiresAt)}`;
  const dealer = t.dealerId === null ? '' : `  dealer ${t.dealerId}`;
  return `${t.id}  ${t.scope.padEnd(7)} ${t.state.padEnd(7)} ${printable(t.name)}  (${until})${dealer}`;
};

const create = leaf<Connection & { name: string; scope: TokenScope; expires?: string; dealer?: string }>(
  'create',
  'Create an API token; it is printed this once.',
  (c) =>
    c
      .requiredOption('--name <name>', 'what the token is for')
      .requiredOption('--scope <scope>', `${TOKEN_SCOPES.join(', ')}`, scope)
      .option('--expires <date>', 'last day it works (YYYY-MM-DD) or an ISO date-time; never when absent')
      .option('--dealer <dealer>', 'for a dealer token: the dealer, by id or login'),
  async (o, out) => {
    const body = {
      name: o.name,
      scope: o.scope,
      ...(o.expires === undefined ? {} : { expiresAt: expiryOf('--expires', o.expires) }),
      ...(o.dealer === undefined ? {} : { dealer: o.dealer }),
    };
    const created = unwrap(
      await connect(o).request<{ token: string; record: TokenRecord }>('POST', '/v1/tokens', body),
    );
    out.result(created, () =>
      [
        `Created ${tokenLine(created.record)}`,
        'The token is shown only this once; keep it somewhere safe:',
        '',
        `  ${created.token}`,
      ].join('\n'),
    );
  },
);

const list = leaf<Connection>(
  'list',
  'List the API tokens (never the tokens themselves).',
  (c) => c,
  async (o, out) => {
    const { tokens } = unwrap(await connect(o).request<{ tokens: TokenRecord[] }>('GET', '/v1/tokens'));
    out.result({ tokens }, () => tokens.map(tokenLine).join('\n'));
  },
);

const revoke = leaf<Connection>(
  'revoke',
  'Revoke an API token at once.',
  (c) => c.argument('<token>', 'token id (tok_...)'),
  async (o, out, [id]) => {
    const path = `/v1/tokens/${encodeURIComponent(id ?? '')}/revoke`;
    const revoked = unwrap(await connect(o).request<TokenRecord>('POST', path, {}));
    out.result(revoked, () => `Revoked ${tokenLine(revoked)}`);
  },
);

export const tokenCommands = new Command('token')
  .description('API tokens: admin, support, read and dealer scopes; expiring and revocable.')
  .addCommand(create)
  .addCommand(list)
  .addCommand(revoke);
