import { type KeywardError, keywardError } from './errors.js';
import type { License, Policy } from './licensing.js';
import { err, ok, type Result } from './result.js';

/** What archiving does: nothing when the record is archived already. */
export type ArchiveChange = 'archive' | 'unchanged';

/**
 * Whether the vendor may archive a license: only one that can no longer be used (revoked, or
 * past its expiry). Archiving is bookkeeping: it hides the license from lists and stops its
 * updates, so it must never be the way a working license is switched off (that is revoking).
 */
export function decideLicenseArchive(
  license: Pick<License, 'status' | 'expiresAt' | 'archivedAt'>,
  now: Date,
): Result<ArchiveChange> {
  if (license.archivedAt !== null) return ok('unchanged');
  if (license.status === 'revoked') return ok('archive');
  if (license.expiresAt !== null && Date.parse(license.expiresAt) <= now.getTime()) return ok('archive');
  return err(stillValid(license.status));
}

function stillValid(status: License['status']): KeywardError {
  return keywardError(
    'LICENSE_STILL_VALID',
    status === 'suspended'
      ? 'This license is suspended, not revoked: it could be reinstated, so it cannot be archived. Revoke it, or wait until it expires, then archive it.'
      : undefined,
  );
}

/**
 * The policy a person means by `ref`, among the policies whose id or name is `ref` (of one
 * product when the person named it): an id wins over a name; a name may match one policy per
 * product, so a name matching several is ambiguous rather than a guess.
 */
export function pickPolicy<P extends Pick<Policy, 'id' | 'name' | 'productId'>>(
  candidates: readonly P[],
  ref: string,
): Result<P> {
  const byId = candidates.find((policy) => policy.id === ref);
  if (byId !== undefined) return ok(byId);
  const named = candidates.filter((policy) => policy.name === ref);
  const [only, ...others] = named;
  if (only === undefined) return err(keywardError('POLICY_NOT_FOUND'));
  if (others.length === 0) return ok(only);
  return err(
    keywardError('POLICY_AMBIGUOUS', undefined, { products: named.map((policy) => policy.productId) }),
  );
}
