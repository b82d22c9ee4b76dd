import { randomBytes } from 'node:crypto';
import { type Dealer, encodeSymbols, newId, ok, type Result, refuse } from '@keyward/core';
import { hash, verify } from '@node-rs/argon2';
import type { ServerContext } from '../context.js';

export interface NewDealer {
  readonly login: string;
  readonly name: string;
  readonly email: string;
  /** Chosen by the vendor; when absent, one is made and shown once. */
  readonly password?: string;
}

/** A password the vendor hands the dealer: 16 symbols of the readable alphabet (80 bits). */
function generateDealerPassword(): string {
  return encodeSymbols(randomBytes(10), 16).match(/.{4}/g)?.join('-') ?? '';
}

/**
 * A login that is unknown is checked against this hash all the same, so that the time of the
 * answer does not tell which logins exist.
 */
const UNKNOWN_LOGIN_HASH = hash(randomBytes(16).toString('hex'));

export async function createDealer(
  ctx: ServerContext,
  input: NewDealer,
): Promise<Result<{ dealer: Dealer; password: string | undefined }>> {
  const password = input.password ?? generateDealerPassword();
  const dealer: Dealer = {
    id: newId('dlr', ctx.now().getTime()),
    login: input.login,
    name: input.name,
    email: input.email,
    createdAt: ctx.now().toISOString(),
  };
  const created = await ctx.dealers.create(dealer, await hash(password.normalize('NFC')));
  if (!created) return refuse('DEALER_LOGIN_TAKEN');
  return ok({ dealer, password: input.password === undefined ? password : undefined });
}

export async function findDealer(ctx: ServerContext, ref: string): Promise<Result<Dealer>> {
  const dealer = await ctx.dealers.find(ref);
  return dealer === undefined ? refuse('DEALER_NOT_FOUND') : ok(dealer);
}

/** The portal's login: the dealer whose login and password these are. */
export async function authenticateDealer(
  ctx: ServerContext,
  login: string,
  password: string,
): Promise<Result<Dealer>> {
  const found = await ctx.dealers.credentialsOf(login);
  const matches = await verify(found?.passwordHash ?? (await UNKNOWN_LOGIN_HASH), password.normalize('NFC'));
  return found !== undefined && matches ? ok(found.dealer) : refuse('LOGIN_FAILED');
}
