import type { OrderItem, ReceivedError, Result } from '@keyward/core';
import { openRequestFile, type ProcessedOrder, processOrder } from '@keyward/server';
import type { TestComputer } from './computer.js';
import type { TestVendor } from './vendor-server.js';

export interface DealerAccount {
  readonly id: string;
  readonly login: string;
  readonly password: string;
}

export interface OrderAnswer {
  id: string;
  dealerId: string;
  state: string;
  description: string;
  daysLeft: number | null;
  expiresAt: string | null;
  updateId: string | null;
  failedAttempts: number;
  locked: boolean;
}

/** "1 more server and 448 more nodes", the source document's order. */
export const SERVERS_AND_NODES: OrderItem[] = [
  { item: 'cad', kind: 'servers', count: 1 },
  { item: 'cad', kind: 'nodes', count: 448 },
];

let dealers = 0;

export async function createDealer(vendor: TestVendor, login = `dealer${++dealers}`): Promise<DealerAccount> {
  const password = `${login}-password-long-enough`;
  const { dealer } = await vendor.admin<{ dealer: { id: string } }>('POST', '/v1/dealers', {
    login,
    name: `Dealer ${login}`,
    email: `${login}@dealers.example`,
    password,
  });
  return { id: dealer.id, login, password };
}

/** An order created and authorized for the dealer, with the authorization number shown once. */
export async function authorizedOrder(
  vendor: TestVendor,
  dealer: DealerAccount,
  product: string,
  items: OrderItem[] = SERVERS_AND_NODES,
  license?: string,
): Promise<{ order: OrderAnswer; authorizationNumber: string }> {
  const created = await vendor.admin<OrderAnswer>('POST', '/v1/orders', {
    dealer: dealer.login,
    product,
    items,
    ...(license === undefined ? {} : { license }),
  });
  return vendor.admin('POST', `/v1/orders/${created.id}/authorize`, {});
}

/** What the portal does with an uploaded KeyUpload.dat: opens it, then processes the order for the logged-in dealer. */
export async function processUploaded(
  vendor: TestVendor,
  pc: TestComputer,
  submission: {
    orderId: string;
    authorizationNumber: string;
    dealerId: string;
    statedFrom?: Record<string, number>;
  },
): Promise<Result<ProcessedOrder>> {
  const file = await pc.restart().updates.createRequest();
  if (!file.ok) return file;
  const ctx = vendor.server.context;
  const request = openRequestFile(ctx, file.value);
  if (!request.ok) return request;
  return processOrder(ctx, { ...submission, request: request.value, transport: 'file' });
}

export const codeOf = (result: Result<unknown, ReceivedError>) => (result.ok ? 'ok' : result.error.code);
