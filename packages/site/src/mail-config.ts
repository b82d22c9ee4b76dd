import { join } from 'node:path';
import { ok, type Result, refuse } from '@keyward/core';

/**
 * Where the site's notification mail goes: an SMTP server, or (with no KEYWARD_SITE_SMTP_URL) .eml
 * files under the data directory, as the vendor server does, for an operator to open or forward.
 */
export type SiteMailSettings =
  | { readonly transport: 'smtp'; readonly url: string; readonly from: string }
  | { readonly transport: 'files'; readonly dir: string; readonly from: string };

const FILES_MAIL_FROM = 'Keyward site server <keyward-site@localhost>';

const invalid = (setting: string, problem: string) => refuse('CONFIG_INVALID', `${setting} ${problem}`);

/** Parses the SMTP URL and sender as given (flag or environment); empty strings mean "not set". */
export function parseSiteMailSettings(url: string, from: string, dataDir: string): Result<SiteMailSettings> {
  // A From address is a mailbox, optionally with a display name: "Name <box@domain>" or box@domain.
  if (from !== '' && !/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from.trim()))
    return invalid(
      'KEYWARD_SITE_MAIL_FROM',
      `must be an address such as "Licensing <licensing@plant.example>", not "${from}".`,
    );
  if (url === '')
    return ok({ transport: 'files', dir: join(dataDir, 'mail'), from: from.trim() || FILES_MAIL_FROM });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid(
      'KEYWARD_SITE_SMTP_URL',
      'is not a valid URL (write smtp://USER:PASSWORD@HOST:587 or smtps://...).',
    );
  }
  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '')
    return invalid('KEYWARD_SITE_SMTP_URL', 'must be an smtp:// or smtps:// address with a host name.');
  // Mail an SMTP server relays needs a sender address it accepts; a made-up default would bounce.
  if (from === '') return invalid('KEYWARD_SITE_MAIL_FROM', 'must be set when KEYWARD_SITE_SMTP_URL is.');
  return ok({ transport: 'smtp', url, from: from.trim() });
}
