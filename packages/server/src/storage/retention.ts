import type { VendorDb } from './database.js';

/**
 * Deletes what has served its use: jobs and webhook deliveries finished before `finishedBefore`,
 * and release nonces spent before `spentBefore`. Pending work is never deleted, however old.
 */
export async function deleteRetained(
  db: VendorDb,
  { finishedBefore, spentBefore }: { readonly finishedBefore: string; readonly spentBefore: string },
): Promise<void> {
  await db.deleteFrom('jobs').where('state', '!=', 'pending').where('done_at', '<', finishedBefore).execute();
  await db
    .deleteFrom('webhook_deliveries')
    .where('state', '!=', 'pending')
    .where('created_at', '<', finishedBefore)
    .execute();
  await db.deleteFrom('used_nonces').where('used_at', '<', spentBefore).execute();
}
