import type { SiteDb } from './database.js';

/** What the expiration task concluded for a key; each is notified once, not at every run. */
export type ExpirationOutcome = 'expiring' | 'incompatible' | 'renewed';

export interface ExpirationCheck {
  readonly serial: string;
  readonly outcome: ExpirationOutcome;
  readonly renewalSerial: string | null;
  readonly checkedAt: string;
}

const OUTCOMES: readonly ExpirationOutcome[] = ['expiring', 'incompatible', 'renewed'];

/** The expiration task's last conclusion per key; it goes with the key. */
export class ExpirationCheckStore {
  constructor(private readonly db: SiteDb) {}

  async find(serial: string): Promise<ExpirationCheck | undefined> {
    const row = await this.db
      .selectFrom('expiration_checks')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const outcome = OUTCOMES.find((known) => known === row.outcome);
    if (outcome === undefined)
      throw new Error(`Unknown expiration outcome in the site database: ${row.outcome}`);
    return { serial: row.serial, outcome, renewalSerial: row.renewal_serial, checkedAt: row.checked_at };
  }

  async record(check: ExpirationCheck): Promise<void> {
    const values = {
      outcome: check.outcome,
      renewal_serial: check.renewalSerial,
      checked_at: check.checkedAt,
    };
    await this.db
      .insertInto('expiration_checks')
      .values({ serial: check.serial, ...values })
      .onConflict((conflict) => conflict.column('serial').doUpdateSet(values))
      .execute();
  }
}
