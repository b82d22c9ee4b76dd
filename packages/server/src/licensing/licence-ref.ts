import { type Licence, ok, parseSerial, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';

/** A licence named by its id (`lic_...`) or by its serial number as a person typed it. */
export async function findLicenceByRef(ctx: ServerContext, ref: string): Promise<Result<Licence>> {
  const serial = ref.startsWith('lic_') ? ok(ref) : parseSerial(ref);
  if (!serial.ok) return serial;
  const licence = await ctx.licences.findLicence(serial.value);
  return licence === undefined ? refuse('LICENSE_NOT_FOUND') : ok(licence);
}
