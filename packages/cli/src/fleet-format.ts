import { expiryWording } from '@keyward/core/license-container';

/** A renewal as the admin API lists it. */
export interface RenewalEntry {
  id: string;
  product: string;
  licenseSerial: string;
  licenseExpiresAt: string | null;
  renewalSerial: string;
  renewalExpiresAt: string | null;
  createdAt: string;
  fetchedAt: string | null;
  fetchedBySite: string | null;
}

/** A key a site server reported, with where it is propagated. */
export interface ReportedKey {
  serial: string;
  product: string;
  origin: string;
  expiresAt: string | null;
  fromSiteId: string | null;
  replacedBy: string | null;
  stations: number;
  neighbours: Array<{ siteId: string; seats: number; state: string }>;
}

export const renewalLine = (r: RenewalEntry) =>
  `${r.id}  ${r.product}  ${r.licenseSerial} (${expiryWording(r.licenseExpiresAt)}) -> ${r.renewalSerial} (${expiryWording(r.renewalExpiresAt)})  ${r.fetchedAt === null ? 'waiting' : `fetched ${r.fetchedAt} by ${r.fetchedBySite}`}`;

/** Rows under a header, each column as wide as its widest cell. */
export function columns(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const neighboursText = (key: ReportedKey) =>
  key.neighbours.length === 0
    ? '-'
    : key.neighbours.map((n) => `${n.siteId} ${n.seats} seat(s) ${n.state}`).join('; ');

const originText = (key: ReportedKey) =>
  key.origin === 'neighbour' && key.fromSiteId !== null ? `neighbour ${key.fromSiteId}` : key.origin;

/** The keys of a site's report: one row each, with where each is propagated. */
export function reportedKeysTable(keys: readonly ReportedKey[]): string {
  if (keys.length === 0) return 'The site reported no keys.';
  return columns(
    ['SERIAL', 'PRODUCT', 'ORIGIN', 'EXPIRES', 'STATIONS', 'NEIGHBOURS', 'REPLACED BY'],
    keys.map((key) => [
      key.serial,
      key.product,
      originText(key),
      expiryWording(key.expiresAt),
      String(key.stations),
      neighboursText(key),
      key.replacedBy ?? '-',
    ]),
  );
}
