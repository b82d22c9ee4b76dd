import { lastValidDay } from '@keyward/core';
import type { RenewalFacts, SiteEvent } from '../site-events.js';

/** A notification as an administrator reads it in a mail client. */
export interface NotificationMail {
  readonly subject: string;
  readonly text: string;
}

/** The last day a license is valid, as the vendor wrote it ("valid through"). */
const day = (at: string | null) => (at === null ? 'never' : lastValidDay(at));

const listed = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));

function siteLine(event: SiteEvent): string {
  return `Site server: ${event.site.name} (${event.site.id})`;
}

function licenseLines(event: SiteEvent): string[] {
  return [
    `License: ${event.license.serial}`,
    `Product: ${event.license.product}`,
    `Valid through: ${day(event.license.expiresAt)}`,
  ];
}

function renewalLines(renewal: RenewalFacts): string[] {
  return [
    `New license: ${renewal.serial}`,
    `New license valid through: ${day(renewal.expiresAt)}`,
    `Propagated to stations: ${listed(renewal.propagatedTo.stations)}`,
    `Propagated to neighbour site servers: ${listed(renewal.propagatedTo.neighbours)}`,
  ];
}

const exportHint = (serial: string) =>
  `An automatically renewed license has no key file until it is exported: keyward site license export ${serial} --out FILE`;

function expiring(event: SiteEvent): NotificationMail {
  return {
    subject: `[${event.site.name}] License ${event.license.serial} is valid through ${day(event.license.expiresAt)} only`,
    text: [
      `The license ${event.license.serial} (${event.license.product}) held by the site server ${event.site.name} is valid through ${day(event.license.expiresAt)}.`,
      'No renewal is waiting for it at the vendor. Once one is bought, the license expiration task installs it by itself.',
      '',
      ...licenseLines(event),
      siteLine(event),
    ].join('\n'),
  };
}

function incompatible(event: SiteEvent): NotificationMail {
  const renewal = event.renewal;
  return {
    subject: `[${event.site.name}] License ${event.license.serial} cannot be renewed automatically`,
    text: [
      `A renewal of the license ${event.license.serial} (${event.license.product}) was added to the site server ${event.site.name}, but it was not propagated: it cannot replace the current license by itself.`,
      `Reason: ${event.reason?.message ?? 'the renewal does not license what the current license does.'}`,
      'Propagate the new license to the stations and neighbour servers by hand, then remove the old one.',
      '',
      ...licenseLines(event),
      ...(renewal === undefined ? [] : renewalLines(renewal)),
      siteLine(event),
      ...(renewal === undefined ? [] : ['', exportHint(renewal.serial)]),
    ].join('\n'),
  };
}

function renewed(event: SiteEvent): NotificationMail {
  const renewal = event.renewal;
  return {
    subject: `[${event.site.name}] License ${event.license.serial} renewed automatically`,
    text: [
      `The license ${event.license.serial} (${event.license.product}) held by the site server ${event.site.name} was renewed automatically${renewal === undefined ? '' : ` by ${renewal.serial}, valid through ${day(renewal.expiresAt)}`}.`,
      "The new license took the old one's place everywhere it was propagated; the old one is removed once no station or neighbour server uses it.",
      '',
      ...licenseLines(event),
      ...(renewal === undefined ? [] : renewalLines(renewal)),
      siteLine(event),
      ...(renewal === undefined ? [] : ['', exportHint(renewal.serial)]),
    ].join('\n'),
  };
}

/** The mail of each kind of notification: what happened, to which license, and what to do. */
export function notificationMail(event: SiteEvent): NotificationMail {
  switch (event.kind) {
    case 'license.expiring':
      return expiring(event);
    case 'license.renewal_incompatible':
      return incompatible(event);
    case 'license.renewed':
      return renewed(event);
  }
}
