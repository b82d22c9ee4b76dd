import { ok, type Result, refuse, type SignedEnvelope, verifySiteCertificate } from '@keyward/core';
import type { NeighbourClient, NeighbourHello } from './neighbour-client.js';
import type { SiteIdentity } from './site-identity.js';
import type { NeighbourRecord, NeighbourStore } from './storage/neighbour-store.js';

export type NeighbourView = NeighbourRecord;

/** A child to donate to, reached at `url`; or a parent whose donations this site accepts. */
export type NewNeighbour =
  | { readonly role: 'child'; readonly siteId: string; readonly url: string; readonly name?: string }
  | { readonly role: 'parent'; readonly siteId: string; readonly name?: string };

/** Who this site answers to its neighbours, unauthenticated: the vendor's certificate vouches for it. */
export interface HelloAnswer {
  readonly siteId: string;
  readonly protocol: number;
  readonly certificate: SignedEnvelope;
}

/**
 * The site's neighbours. A child is checked when it is added: its hello must carry a
 * certificate the vendor signed for the site id the administrator named.
 */
export class Neighbours {
  constructor(
    private readonly identity: SiteIdentity,
    private readonly store: NeighbourStore,
    private readonly client: NeighbourClient,
    private readonly protocol: number,
    private readonly now: () => Date,
  ) {}

  hello(): Result<HelloAnswer> {
    const site = this.identity.current();
    if (!site.ok) return site;
    return ok({
      siteId: site.value.certificate.siteId,
      protocol: this.protocol,
      certificate: site.value.certificateEnvelope,
    });
  }

  /** Adds a neighbour; a child that does not answer yet is added all the same, its protocol unknown. */
  async add(neighbour: NewNeighbour): Promise<Result<NeighbourView>> {
    const site = this.identity.current();
    if (!site.ok) return site;
    if (neighbour.siteId === site.value.certificate.siteId)
      return refuse('VALIDATION_FAILED', 'A site server cannot be its own neighbour.');
    if ((await this.store.find(neighbour.siteId)) !== undefined) return refuse('NEIGHBOUR_EXISTS');
    const at = this.now().toISOString();
    let record: NeighbourRecord = {
      siteId: neighbour.siteId,
      name: neighbour.name ?? neighbour.siteId,
      url: neighbour.role === 'child' ? neighbour.url : null,
      role: neighbour.role,
      protocol: null,
      addedAt: at,
      lastContactAt: null,
      lastError: null,
    };
    if (neighbour.role === 'child') {
      const hello = await this.client.hello(neighbour.url);
      if (hello.ok) {
        const checked = this.check(hello.value, neighbour.siteId);
        if (!checked.ok) return checked;
        record = {
          ...record,
          name: neighbour.name ?? checked.value,
          protocol: hello.value.protocol,
          lastContactAt: at,
        };
      } else if (hello.error.code === 'NEIGHBOUR_UNREACHABLE')
        record = { ...record, lastError: hello.error.message };
      else return hello;
    }
    if (!(await this.store.add(record))) return refuse('NEIGHBOUR_EXISTS');
    return ok(record);
  }

  async list(): Promise<NeighbourView[]> {
    return this.store.list();
  }

  async find(siteId: string): Promise<Result<NeighbourView>> {
    const found = await this.store.find(siteId);
    return found === undefined ? refuse('NEIGHBOUR_NOT_FOUND') : ok(found);
  }

  /**
   * Forgets a neighbour. A child that holds seats of this site is not forgotten: its donation is
   * signed and keeps lending there, so forgetting it would lend those seats twice.
   */
  async remove(siteId: string): Promise<Result<{ readonly siteId: string }>> {
    const held = await this.store.seatsHeldBy(siteId);
    if (held.length > 0)
      return refuse(
        'NEIGHBOUR_HOLDS_SEATS',
        `The neighbour ${siteId} holds seats of ${held.join(', ')}: take them back first (keyward site license unpropagate SERIAL --neighbour ${siteId}). A child that never comes back keeps them until the key expires.`,
        { serials: held },
      );
    return (await this.store.remove(siteId)) ? ok({ siteId }) : refuse('NEIGHBOUR_NOT_FOUND');
  }

  /** Asks a child who it is again, to learn the protocol it speaks; the record as it is now. */
  async refresh(child: NeighbourRecord): Promise<NeighbourRecord> {
    if (child.url === null) return child;
    const hello = await this.client.hello(child.url);
    if (!hello.ok) {
      await this.store.failed(child.siteId, hello.error.message);
      return child;
    }
    const checked = this.check(hello.value, child.siteId);
    if (!checked.ok) {
      await this.store.failed(child.siteId, checked.error.message);
      return child;
    }
    await this.store.contacted(child.siteId, hello.value.protocol, this.now().toISOString());
    return { ...child, protocol: hello.value.protocol };
  }

  /** The child's name as the vendor certified it, when its hello is the vendor's word for `siteId`. */
  private check(hello: NeighbourHello, siteId: string): Result<string> {
    const site = this.identity.current();
    if (!site.ok) return site;
    const certificate = verifySiteCertificate(hello.certificate, site.value.vendorKeys);
    if (!certificate.ok) return certificate;
    if (certificate.value.siteId !== siteId || hello.siteId !== siteId)
      return refuse(
        'WRONG_SITE',
        `The site server at that address is ${certificate.value.siteId}, not ${siteId}.`,
      );
    if (!Number.isInteger(hello.protocol) || hello.protocol < 1)
      return refuse('VALIDATION_FAILED', 'The neighbour does not say which site protocol it speaks.');
    return ok(certificate.value.name);
  }
}
