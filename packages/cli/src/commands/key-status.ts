import { readKeyStatus } from '@keyward/client/status';
import { type KeyOptions, licenseClientOptions } from '../key-options.js';
import { formatStatus } from '../key-status-format.js';
import { type Output, unwrap } from '../output.js';

/** `keyward key status`: the license container on this computer, read offline. */
export async function showKeyStatus(options: KeyOptions, out: Output): Promise<void> {
  const value = unwrap(await readKeyStatus(await licenseClientOptions(options)));
  out.result(value, () => formatStatus(value));
}
