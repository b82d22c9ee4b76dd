import { randomBytes } from 'node:crypto';
import type { MailAttachment, OutgoingMail } from '@keyward/core';
import type { VendorDb } from '../storage/database.js';
import { mailRetryDelaySeconds } from './mail-retry.js';
import { enqueueSendMail } from './queue-mail.js';

/** A mail of the outbox as it is sent: the mail, its id and when the change that caused it happened. */
export interface QueuedMail extends OutgoingMail {
  readonly id: string;
  readonly createdAt: string;
}

/** This process's hold on one mail while it sends it; only the holder may record the outcome. */
export interface MailClaim {
  readonly mail: QueuedMail;
  readonly token: string;
  /** Tries so far, this one included. */
  readonly attempt: number;
  /** The previous holder's claim ran out before it recorded an outcome: it may have sent the mail. */
  readonly takenOver: boolean;
}

/**
 * Why a mail could not be claimed: sent already, its next try not due yet, being sent by another
 * process, or no such mail.
 */
export type ClaimRefusal = 'sent' | 'not-due' | 'held' | 'unknown';

/**
 * The outbox's state changes, each one conditional update, so that of several processes trying
 * to send one mail exactly one holds it at a time.
 */
export class MailOutbox {
  constructor(private readonly db: VendorDb) {}

  /**
   * Claims a mail for `holdMs` if it is due, or else if its holder's claim ran out (the process
   * died mid-send). The conditions are checked on the row by the update itself: of two processes
   * racing, one wins.
   */
  async claim(id: string, now: Date, holdMs: number): Promise<MailClaim | ClaimRefusal> {
    const due = await this.claimIf(id, now, holdMs, false);
    if (due !== undefined) return due;
    const abandoned = await this.claimIf(id, now, holdMs, true);
    if (abandoned !== undefined) return abandoned;
    const current = await this.db
      .selectFrom('mail_outbox')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirst();
    if (current === undefined) return 'unknown';
    if (current.state === 'sent') return 'sent';
    return current.state === 'pending' ? 'not-due' : 'held';
  }

  private async claimIf(
    id: string,
    now: Date,
    holdMs: number,
    abandoned: boolean,
  ): Promise<MailClaim | undefined> {
    const at = now.toISOString();
    const token = randomBytes(12).toString('hex');
    const row = await this.db
      .updateTable('mail_outbox')
      .set((eb) => ({
        state: 'sending',
        claimed_by: token,
        claimed_until: new Date(now.getTime() + holdMs).toISOString(),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', id)
      .where((eb) =>
        abandoned
          ? eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', at)])
          : eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', at)]),
      )
      .returning(['recipient', 'subject', 'text', 'attachments', 'created_at', 'attempts'])
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      mail: {
        id,
        to: row.recipient,
        subject: row.subject,
        text: row.text,
        attachments: JSON.parse(row.attachments) as MailAttachment[],
        createdAt: row.created_at,
      },
      token,
      attempt: row.attempts,
      takenOver: abandoned,
    };
  }

  /** Records that the mail server took the mail. False when this claim had run out and another process took the mail over. */
  async markSent(id: string, token: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('mail_outbox')
      .set({ state: 'sent', sent_at: now.toISOString(), claimed_by: null, claimed_until: null })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .where('claimed_by', '=', token)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /**
   * Records a failed try and queues the next one after the retry delay, in one transaction: a
   * mail waiting for its next try always has the job that makes it. Returns when that try is.
   */
  async recordFailure(claim: MailClaim, now: Date, error: string): Promise<Date | undefined> {
    const next = new Date(now.getTime() + mailRetryDelaySeconds(claim.attempt) * 1000);
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('mail_outbox')
        .set({
          state: 'pending',
          next_attempt_at: next.toISOString(),
          claimed_by: null,
          claimed_until: null,
          last_error: error.slice(0, 1000),
        })
        .where('id', '=', claim.mail.id)
        .where('state', '=', 'sending')
        .where('claimed_by', '=', claim.token)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return undefined;
      await enqueueSendMail(trx, claim.mail.id, claim.attempt + 1, next);
      return next;
    });
  }
}
