import type { UpdateOperation } from '@keyward/core';
import type { TestVendor } from './vendor-server.js';

interface Issued {
  update: { id: string; fromSequence: number; toSequence: number };
  file: string;
}

/** The vendor turning a request file into an update file, over the admin API. */
export async function updateFromRequest(
  vendor: TestVendor,
  request: string,
  operations: UpdateOperation[] | unknown[],
) {
  const response = await fetch(`${vendor.url}/v1/updates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vendor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ request, operations }),
  });
  const body = (await response.json()) as Issued & { code?: string; message?: string };
  return { status: response.status, body };
}

export async function queueUpdate(
  vendor: TestVendor,
  serial: string,
  operations: UpdateOperation[],
): Promise<Issued> {
  return vendor.admin<Issued>('POST', `/v1/licenses/${serial}/updates`, { operations });
}
