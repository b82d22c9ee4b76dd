import type { SaveStage } from '@keyward/client';

/** Where a save can be cut short, and which contents must survive a crash there. */
export const CRASH_STAGES: ReadonlyArray<readonly [SaveStage, 'old' | 'new']> = [
  ['anchor-prepared', 'old'],
  ['file-after-temp-write', 'old'],
  ['file-after-rename', 'new'],
  ['anchor-committed', 'new'],
];
