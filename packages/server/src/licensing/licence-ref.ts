import { type Licence, parseSerial } from '@keyward/core';
import type { ServerContext } from '../context.js';

/** A licence named by its id or by its serial number as a person typed it. */
export async function findLicenceByRef(ctx: ServerContext, ref: string): Promise<Licence | undefined> {
  const serial = parseSerial(ref);
  return ctx.licences.findLicence(serial.ok ? serial.value : ref);
}
