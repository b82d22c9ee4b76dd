import type { VerificationMode } from './licensing.js';

/**
 * CheckLicense: whether the application must ask the license server before it runs.
 *
 * | verification | next online check | action          |
 * |--------------|-------------------|-----------------|
 * | off          | any               | no online check |
 * | ongoing      | empty             | online check    |
 * | ongoing      | in the past       | online check    |
 * | ongoing      | in the future     | no online check |
 * | frozen       | any               | online check    |
 *
 * A next-check date equal to now is due.
 */
export function needsOnlineCheck(
  verification: VerificationMode,
  nextCheckAt: Date | null,
  now: Date,
): boolean {
  switch (verification) {
    case 'off':
      return false;
    case 'frozen':
      return true;
    case 'ongoing':
      return nextCheckAt === null || nextCheckAt.getTime() <= now.getTime();
  }
}
