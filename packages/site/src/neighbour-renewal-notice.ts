import { newId } from '@keyward/core';
import type { LicenseReplaced } from './donation-receiver.js';
import type { Notifier } from './license-expiration-task.js';
import type { SiteIdentity } from './site-identity.js';

/**
 * The 'license.renewed' notification of a site whose parent's new key replaced the old one here:
 * every server that got the new key tells its own administrator.
 */
export function noticeOfReplacedKey(
  identity: SiteIdentity,
  notifier: Notifier,
  now: () => Date,
): (replaced: LicenseReplaced) => Promise<void> {
  return async (replaced) => {
    const site = identity.current();
    if (!site.ok) return;
    await notifier.notify({
      id: newId('ntf', now().getTime()),
      kind: 'license.renewed',
      occurredAt: now().toISOString(),
      site: { id: site.value.certificate.siteId, name: site.value.certificate.name },
      license: { serial: replaced.oldSerial, product: replaced.product, expiresAt: replaced.oldExpiresAt },
      renewal: {
        serial: replaced.newSerial,
        expiresAt: replaced.expiresAt,
        propagatedTo: { stations: replaced.stations.moved, neighbours: [] },
      },
    });
  };
}
