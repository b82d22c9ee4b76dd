import {
  expiryDue,
  newId,
  type RenewalMismatch,
  renewalCompatibility,
  type SiteLicense,
  type Verified,
} from '@keyward/core';
import type { LicenseManager } from './license-manager.js';
import type { RenewalFacts, SiteEvent, SiteEventKind } from './site-events.js';
import type { SiteIdentity } from './site-identity.js';
import type { ExpirationCheckStore, ExpirationOutcome } from './storage/expiration-check-store.js';
import type { HeldLicense, SiteLicenseStore } from './storage/license-store.js';
import type { VendorLink } from './vendor-link.js';

/** Where a compatible renewal goes: the stations and neighbour site servers that held the old key. */
export interface RenewalPropagation {
  moveStationLeases(oldSerial: string, newSerial: string): Promise<{ moved: string[]; left: string[] }>;
  propagateToNeighbours(
    oldSerial: string,
    newSerial: string,
  ): Promise<Array<{ siteId: string; state: 'delivered' | 'pending' | 'waiting'; replaced: boolean }>>;
  childrenUsing(serial: string): Promise<{ stations: number; neighbours: string[] }>;
}

export interface Notifier {
  notify(event: SiteEvent): Promise<void>;
}

export interface ExpirationTaskSettings {
  expirationTask(): Promise<{ readonly enabled: boolean; readonly daysBefore: number }>;
}

/** What one run did with one key that is about to expire. */
export interface KeyOutcome {
  readonly serial: string;
  readonly outcome: ExpirationOutcome | 'failed';
  readonly renewalSerial: string | null;
  readonly reason?: { readonly mismatch: RenewalMismatch; readonly message: string };
  readonly error?: { readonly code: string; readonly message: string };
}

export interface ExpirationRun {
  readonly ranAt: string;
  readonly enabled: boolean;
  readonly daysBefore: number;
  readonly keys: readonly KeyOutcome[];
  /** Replaced keys removed in this run because no child uses them any more. */
  readonly removed: readonly string[];
}

/**
 * The License key expiration task of the site's schedule. For each key of this site (added by
 * hand or renewed automatically, never one received from a neighbour) that expires within the
 * task's days, it asks the vendor for the renewal bought in advance: none means the expiration
 * notification; one that lacks a component or has fewer licenses is added but not propagated;
 * a compatible one is added and takes the old key's place on every station and neighbour.
 */
export class LicenseExpirationTask {
  constructor(
    private readonly identity: SiteIdentity,
    private readonly manager: LicenseManager,
    private readonly licenses: SiteLicenseStore,
    private readonly checks: ExpirationCheckStore,
    private readonly vendor: VendorLink,
    private readonly propagation: RenewalPropagation,
    private readonly notifier: Notifier,
    private readonly settings: ExpirationTaskSettings,
    private readonly now: () => Date,
  ) {}

  private current: Promise<ExpirationRun> | undefined;

  /** Runs the task; a run asked for while one is going joins it, so a key is never handled twice at once. */
  run(): Promise<ExpirationRun> {
    this.current ??= this.runOnce().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async runOnce(): Promise<ExpirationRun> {
    const { enabled, daysBefore } = await this.settings.expirationTask();
    const ranAt = this.now().toISOString();
    const keys: KeyOutcome[] = [];
    if (enabled && this.identity.current().ok) {
      for (const held of await this.licenses.list()) {
        if (held.origin === 'neighbour' || held.replacedBy !== null) continue;
        const terms = this.manager.terms(held);
        if (!terms.ok) {
          keys.push({ serial: held.serial, outcome: 'failed', renewalSerial: null, error: terms.error });
          continue;
        }
        if (expiryDue(terms.value.contents.expiresAt, this.now(), daysBefore))
          keys.push(await this.renew(held, terms.value));
      }
    }
    return { ranAt, enabled, daysBefore, keys, removed: await this.retireReplaced() };
  }

  /**
   * Removes each replaced key that no station or neighbour uses any more. One an offline neighbour
   * still holds stays until it connects; one a neighbour can never take stays until removed by hand.
   */
  async retireReplaced(): Promise<string[]> {
    const removed: string[] = [];
    for (const held of await this.licenses.replaced()) {
      const children = await this.propagation.childrenUsing(held.serial);
      if (children.stations > 0 || children.neighbours.length > 0) continue;
      if (await this.licenses.remove(held.serial)) removed.push(held.serial);
    }
    return removed;
  }

  private async renew(held: HeldLicense, current: Verified<SiteLicense>): Promise<KeyOutcome> {
    const fetched = await this.vendor.fetchRenewal(held.serial);
    if (!fetched.ok)
      return { serial: held.serial, outcome: 'failed', renewalSerial: null, error: fetched.error };
    const previous = await this.checks.find(held.serial);
    if (fetched.value === null) {
      if (previous?.outcome !== 'expiring') await this.conclude(held, current, 'expiring', null);
      return { serial: held.serial, outcome: 'expiring', renewalSerial: null };
    }
    const added = await this.manager.addRenewal(fetched.value.file);
    if (!added.ok) return { serial: held.serial, outcome: 'failed', renewalSerial: null, error: added.error };
    const renewal = added.value;
    const verdict = renewalCompatibility(current, renewal.terms);
    if (!verdict.compatible) {
      const reason = { mismatch: verdict.mismatch, message: verdict.reason };
      const repeated = previous?.outcome === 'incompatible' && previous.renewalSerial === renewal.held.serial;
      if (!repeated) await this.conclude(held, current, 'incompatible', renewal, { reason });
      return { serial: held.serial, outcome: 'incompatible', renewalSerial: renewal.held.serial, reason };
    }
    const stations = await this.propagation.moveStationLeases(held.serial, renewal.held.serial);
    const neighbours = await this.propagation.propagateToNeighbours(held.serial, renewal.held.serial);
    await this.licenses.markReplaced(held.serial, renewal.held.serial);
    await this.conclude(held, current, 'renewed', renewal, {
      propagatedTo: {
        stations: stations.moved,
        neighbours: neighbours.filter((neighbour) => neighbour.state !== 'waiting').map((n) => n.siteId),
      },
    });
    return { serial: held.serial, outcome: 'renewed', renewalSerial: renewal.held.serial };
  }

  /** Records what the task found for a key and tells the administrator, once per finding. */
  private async conclude(
    held: HeldLicense,
    current: SiteLicense,
    outcome: ExpirationOutcome,
    renewal: { held: HeldLicense; terms: SiteLicense } | null,
    facts: {
      reason?: SiteEvent['reason'];
      propagatedTo?: RenewalFacts['propagatedTo'];
    } = {},
  ): Promise<void> {
    const at = this.now().toISOString();
    await this.checks.record({
      serial: held.serial,
      outcome,
      renewalSerial: renewal?.held.serial ?? null,
      checkedAt: at,
    });
    const site = this.identity.current();
    if (!site.ok) return;
    const keyFile = renewal === null ? undefined : await this.manager.keyFileText(renewal.held);
    await this.notifier.notify({
      id: newId('ntf', this.now().getTime()),
      kind: EVENT_OF[outcome],
      occurredAt: at,
      site: { id: site.value.certificate.siteId, name: site.value.certificate.name },
      license: { serial: held.serial, product: held.product, expiresAt: current.contents.expiresAt },
      ...(renewal === null
        ? {}
        : {
            renewal: {
              serial: renewal.held.serial,
              expiresAt: renewal.terms.contents.expiresAt,
              propagatedTo: facts.propagatedTo ?? { stations: [], neighbours: [] },
            },
          }),
      ...(facts.reason === undefined ? {} : { reason: facts.reason }),
      ...(keyFile?.ok ? { keyFile: keyFile.value } : {}),
    });
  }
}

const EVENT_OF: Record<ExpirationOutcome, SiteEventKind> = {
  expiring: 'license.expiring',
  incompatible: 'license.renewal_incompatible',
  renewed: 'license.renewed',
};
