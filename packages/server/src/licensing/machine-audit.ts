import { serialKey } from '@keyward/core';
import type { ServerContext } from '../context.js';

/** A security event of the machine API: what a computer asked of a serial, and how it ended. */
export interface MachineEvent {
  /** `activate.refused`, `deactivate`, `tamper.reported`... */
  readonly action: string;
  /** The serial the request named, in any spelling; undefined when it named none that could be read. */
  readonly serial: string | undefined;
  /** `ok`, or the refusal's code. */
  readonly outcome: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * Appends a machine event to the audit log, under the serial as the vendor's records spell it, so
 * that the license's history finds it.
 */
export async function recordMachineEvent(ctx: ServerContext, event: MachineEvent): Promise<void> {
  await ctx.audit.append({
    at: ctx.now().toISOString(),
    actor: 'machine',
    action: event.action,
    target: event.serial === undefined ? null : serialKey(event.serial),
    outcome: event.outcome,
    detail: event.detail,
  });
}
