import { type License, ok, parseSerial, type Result, refuse } from '@keyward/core';
import type { ServerContext } from '../context.js';

/** A license named by its id (`lic_...`) or by its serial number as a person typed it. */
export async function findLicenseByRef(ctx: ServerContext, ref: string): Promise<Result<License>> {
  const serial = ref.startsWith('lic_') ? ok(ref) : parseSerial(ref);
  if (!serial.ok) return serial;
  const license = await ctx.licenses.findLicense(serial.value);
  return license === undefined ? refuse('LICENSE_NOT_FOUND') : ok(license);
}
