import { isAbsolute } from 'node:path';
import { ok, type Result, refuse } from '@keyward/core';
import { SITE_EVENT_KINDS, type SiteEventKind } from './site-events.js';

/** Bounds of the settings, shared by the API's schemas and the checks below. */
export const DAYS_BEFORE = { minimum: 0, maximum: 365 } as const;
export const HOOK_TIMEOUT_SECONDS = { minimum: 1, maximum: 3600 } as const;
export const MAX_RECIPIENTS = 20;

/** The License key expiration task: whether it runs, and how many days before expiry it acts. */
export interface ExpirationTaskSettings {
  readonly enabled: boolean;
  readonly daysBefore: number;
}

export const EXPIRATION_TASK_DEFAULTS: ExpirationTaskSettings = { enabled: true, daysBefore: 30 };

/** Who hears of each notification, and the user hook run after each one is sent. */
export interface NotificationSettings {
  readonly kinds: Readonly<Record<SiteEventKind, boolean>>;
  readonly mailTo: readonly string[];
  /** The secret signs deliveries; it is shown once, when the URL is set. */
  readonly webhook: { readonly url: string; readonly secret: string } | null;
  readonly hook: { readonly path: string | null; readonly timeoutSeconds: number };
}

export const NOTIFICATION_DEFAULTS: NotificationSettings = {
  kinds: Object.fromEntries(SITE_EVENT_KINDS.map((kind) => [kind, true])) as Record<SiteEventKind, boolean>,
  mailTo: [],
  webhook: null,
  hook: { path: null, timeoutSeconds: 30 },
};

/** A change of the notification settings: only what is given changes. */
export interface NotificationSettingsChange {
  readonly kinds?: Partial<Record<SiteEventKind, boolean>>;
  readonly mailTo?: readonly string[];
  /** null removes the webhook. */
  readonly webhookUrl?: string | null;
  /** null removes the hook. */
  readonly hookPath?: string | null;
  readonly hookTimeoutSeconds?: number;
}

/** A setting given through the API is a request, refused as one (400): CONFIG_INVALID is for the server's own environment. */
const invalid = (message: string) => refuse('VALIDATION_FAILED', message);

const MAILBOX = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

function wholeNumberIn(value: number, bounds: { minimum: number; maximum: number }): boolean {
  return Number.isInteger(value) && value >= bounds.minimum && value <= bounds.maximum;
}

export function checkDaysBefore(days: number): Result<number> {
  return wholeNumberIn(days, DAYS_BEFORE)
    ? ok(days)
    : invalid(
        `The days before expiry must be a whole number from ${DAYS_BEFORE.minimum} to ${DAYS_BEFORE.maximum}, not ${days}.`,
      );
}

export function checkRecipients(addresses: readonly string[]): Result<string[]> {
  const unique = [...new Set(addresses.map((address) => address.trim()))];
  const bad = unique.find((address) => !MAILBOX.test(address));
  if (bad !== undefined) return invalid(`"${bad}" is not an e-mail address (write name@example.com).`);
  if (unique.length > MAX_RECIPIENTS)
    return invalid(`At most ${MAX_RECIPIENTS} e-mail recipients can be set, not ${unique.length}.`);
  return ok(unique);
}

export function checkWebhookUrl(url: string): Result<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid(`The webhook URL "${url}" is not a URL (write https://host/path).`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return invalid(`The webhook URL must start with https:// or http://, not "${parsed.protocol}".`);
  return ok(parsed.toString());
}

/** The hook is run without a shell, by its path: a relative one would depend on the server's directory. */
export function checkHookPath(path: string): Result<string> {
  return isAbsolute(path) ? ok(path) : invalid(`The hook must be given by its absolute path, not "${path}".`);
}

export function checkHookTimeout(seconds: number): Result<number> {
  return wholeNumberIn(seconds, HOOK_TIMEOUT_SECONDS)
    ? ok(seconds)
    : invalid(
        `The hook's time limit must be a whole number of seconds from ${HOOK_TIMEOUT_SECONDS.minimum} to ${HOOK_TIMEOUT_SECONDS.maximum}, not ${seconds}.`,
      );
}
