import { type KeywardError, keywardError } from './errors.js';

/** What a container knows about itself when an update package arrives. */
export interface PackageTarget {
  readonly serial: string | null;
  readonly containerKey: string;
  readonly sequence: number;
  /** Ids of the packages applied most recently. */
  readonly appliedPackages: readonly string[];
}

/**
 * Whether a package may be applied, checked in this order: for this key -> not applied already
 * -> not older than the key -> not ahead of it. Only a package whose from-sequence is the key's
 * own sequence applies.
 */
export function packageRefusal(
  target: PackageTarget,
  pkg: {
    readonly packageId: string;
    readonly serial: string;
    readonly containerKey: string;
    readonly fromSequence: number;
  },
): KeywardError | undefined {
  if (pkg.serial !== target.serial || pkg.containerKey !== target.containerKey) {
    return keywardError('WRONG_KEY', `This update is for serial ${pkg.serial}, not for this key.`);
  }
  if (target.appliedPackages.includes(pkg.packageId)) return keywardError('ALREADY_APPLIED');
  if (pkg.fromSequence < target.sequence) {
    return keywardError(
      'PACKAGE_OUTDATED',
      `This update starts from step ${pkg.fromSequence}; the key is at step ${target.sequence}.`,
    );
  }
  if (pkg.fromSequence > target.sequence) {
    return keywardError(
      'PACKAGE_OUT_OF_ORDER',
      `This update starts from step ${pkg.fromSequence}; the key is at step ${target.sequence}: apply the updates before it first.`,
    );
  }
  return undefined;
}
