import type { KeywardError } from '@keyward/core';

/** A start that must not go on with what it found; its error says why and what to do. */
export class StartRefused extends Error {
  constructor(readonly error: KeywardError) {
    super(error.message);
  }
}
