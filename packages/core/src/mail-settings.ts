import { join } from 'node:path';
import { refuse } from './errors.js';
import { ok, type Result } from './result.js';

/**
 * Where a server's mail goes: an SMTP server, or (with no SMTP URL) .eml files under the data
 * directory, for an operator to open or forward.
 */
export type MailSettings =
  | { readonly transport: 'smtp'; readonly url: string; readonly from: string }
  | { readonly transport: 'files'; readonly dir: string; readonly from: string };

/** How one server names its mail settings, and what it falls back on. */
export interface MailSettingNames {
  /** The setting of the SMTP URL, e.g. KEYWARD_SMTP_URL. */
  readonly url: string;
  /** The setting of the sender address, e.g. KEYWARD_MAIL_FROM. */
  readonly from: string;
  /** The sender of .eml files when none is set. */
  readonly filesFrom: string;
  /** An address shown in the refusal of a malformed sender. */
  readonly example: string;
}

/** Reads the SMTP URL and sender as given (flag or environment); empty strings mean "not set". */
export function parseMailSettings(
  given: { readonly url: string; readonly from: string },
  dataDir: string,
  names: MailSettingNames,
): Result<MailSettings> {
  const { url, from } = given;
  // A From address is a mailbox, optionally with a display name: "Name <box@domain>" or box@domain.
  if (from !== '' && !/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from.trim()))
    return refuse(
      'CONFIG_INVALID',
      `${names.from} must be an address such as "${names.example}", not "${from}".`,
    );
  if (url === '')
    return ok({ transport: 'files', dir: join(dataDir, 'mail'), from: from.trim() || names.filesFrom });
  if (!URL.canParse(url))
    return refuse(
      'CONFIG_INVALID',
      `${names.url} is not a valid URL (write smtp://USER:PASSWORD@HOST:587 or smtps://...).`,
    );
  const parsed = new URL(url);
  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '')
    return refuse('CONFIG_INVALID', `${names.url} must be an smtp:// or smtps:// address with a host name.`);
  // Mail an SMTP server relays needs a sender address it accepts; a made-up default would bounce.
  if (from === '') return refuse('CONFIG_INVALID', `${names.from} must be set when ${names.url} is.`);
  return ok({ transport: 'smtp', url, from: from.trim() });
}
