/** What the anti-rollback anchor, kept apart from the container file, says. */
export type AnchorFacts =
  | { readonly kind: 'none' }
  /** The anchor exists but its seal does not verify: someone edited it. */
  | { readonly kind: 'altered' }
  | {
      readonly kind: 'present';
      /** Versions of the file the anchor accepts: the current one, and during a write the next. */
      readonly accepted: ReadonlyArray<{ readonly revision: number; readonly hash: string }>;
      readonly containerKey: string;
    };

/** What the container file on disk turned out to be. */
export type FileFacts =
  | { readonly kind: 'missing' }
  /** Damaged, or signed by a key other than the one it names. */
  | { readonly kind: 'unreadable' }
  /** Intact, but its private keys do not unlock on this computer: it was copied from another. */
  | { readonly kind: 'foreign' }
  | {
      readonly kind: 'intact';
      readonly revision: number;
      readonly hash: string;
      readonly containerKey: string;
    };

export type IntegrityDecision =
  /** First run on this computer: create an evaluation container. */
  | 'create'
  /** The file was deleted: create a new one that carries on the anchor's evaluation and block. */
  | 'recreate'
  | 'open'
  | 'wrong-computer'
  /** An older or altered copy, or a missing anchor: block the license. */
  | 'tamper';

/**
 * Tamper detection. Restoring a saved copy of the container file (say, from before a transfer)
 * gives a file the anchor no longer accepts; deleting the anchor or editing either is caught too.
 */
export function decideIntegrity(anchor: AnchorFacts, file: FileFacts): IntegrityDecision {
  if (file.kind === 'foreign') return 'wrong-computer';
  if (anchor.kind === 'altered') return 'tamper';
  if (file.kind === 'missing') return anchor.kind === 'none' ? 'create' : 'recreate';
  if (file.kind === 'unreadable' || anchor.kind === 'none') return 'tamper';
  const accepted = anchor.accepted.some(
    (entry) => entry.revision === file.revision && entry.hash === file.hash,
  );
  return accepted && anchor.containerKey === file.containerKey ? 'open' : 'tamper';
}
