import { createHash } from 'node:crypto';
import { type BindingDecision, decideBinding } from './binding.js';
import { sameComputerParts } from './fingerprint.js';
import type { Binding } from './licensing.js';

/**
 * A binding made from an activation request code read over the phone. The code is too short for
 * the container's keys, so the vendor binds the serial to the container's installation id (a hash
 * of those keys) and a prefix of each fingerprint part; the container's first proven request
 * (an online check, an update request file) shows keys of that id, and the binding takes them.
 */
export const PROVISIONAL_PREFIX = 'installation:';

/** Bytes of each fingerprint part a request code carries. */
export const PART_PREFIX_BYTES = 3;
export const INSTALLATION_BYTES = 12;

export interface InstallationFacts {
  readonly product: string;
  readonly serial: string;
  readonly containerKey: string;
  readonly containerBoxKey: string;
}

/** The container's keys for this serial, in as few bytes as a code can spare (96 bits). */
export function installationId(facts: InstallationFacts): string {
  return createHash('sha256')
    .update(
      `keyward/v1/installation\n${facts.product}\n${facts.serial}\n${facts.containerKey}\n${facts.containerBoxKey}`,
    )
    .digest('hex')
    .slice(0, INSTALLATION_BYTES * 2);
}

/** Each fingerprint part cut to the prefix a request code carries. */
export function partPrefixes(parts: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parts).map(([name, hash]) => [name, hash.slice(0, PART_PREFIX_BYTES * 2)]),
  );
}

type BindingFacts = Pick<
  Binding,
  'containerKey' | 'containerBoxKey' | 'fingerprintHash' | 'fingerprintParts'
>;

/** The facts a provisional binding holds: the installation id in place of keys and fingerprint. */
export function provisionalFacts(
  installation: string,
  prefixes: Readonly<Record<string, string>>,
): BindingFacts {
  const placeholder = `${PROVISIONAL_PREFIX}${installation}`;
  return {
    containerKey: placeholder,
    containerBoxKey: placeholder,
    fingerprintHash: placeholder,
    fingerprintParts: prefixes,
  };
}

export function isProvisional(binding: Pick<Binding, 'containerKey'>): boolean {
  return binding.containerKey.startsWith(PROVISIONAL_PREFIX);
}

/** Whether a grant came from an Unlock Key code: the vendor knows its binding only provisionally. */
export function isProvisionalGrant(grant: { readonly bindingId: string }): boolean {
  return grant.bindingId.startsWith(PROVISIONAL_PREFIX);
}

/** Whether a provisional binding is this container's, by the installation id of its proven keys. */
export function provisionalBindingIsOf(
  binding: Pick<Binding, 'containerKey'>,
  asking: InstallationFacts,
): boolean {
  return binding.containerKey === `${PROVISIONAL_PREFIX}${installationId(asking)}`;
}

/**
 * The Activation Server table for a proven request: a provisional binding of this container on
 * this computer (one part may differ) is this computer's; otherwise the usual decision.
 */
export function decideProvenBinding(
  current: (BindingFacts & Pick<Binding, 'containerKey'>) | undefined,
  asking: InstallationFacts & BindingFacts,
): BindingDecision {
  if (current !== undefined && isProvisional(current)) {
    return provisionalBindingIsOf(current, asking) &&
      sameComputerParts(current.fingerprintParts, partPrefixes(asking.fingerprintParts))
      ? 'same-computer'
      : 'other-computer';
  }
  return decideBinding(current, asking);
}

/** What the vendor does with an activation request code (request by phone). */
export type UnlockRequestDecision =
  | 'bind'
  /** Bound to this very container already (a repeated call): the Unlock Key again, nothing changes. */
  | 'same-container'
  /** Bound to this computer with another container (the application reinstalled): it moves over. */
  | 'same-computer'
  | 'other-computer';

export function decideUnlockRequest(
  current: BindingFacts | undefined,
  request: {
    readonly product: string;
    readonly serial: string;
    readonly installationId: string;
    readonly partPrefixes: Readonly<Record<string, string>>;
  },
): UnlockRequestDecision {
  if (current === undefined) return 'bind';
  const installation = isProvisional(current)
    ? current.containerKey.slice(PROVISIONAL_PREFIX.length)
    : installationId({ ...request, ...current });
  if (installation === request.installationId) return 'same-container';
  return sameComputerParts(partPrefixes(current.fingerprintParts), request.partPrefixes)
    ? 'same-computer'
    : 'other-computer';
}
