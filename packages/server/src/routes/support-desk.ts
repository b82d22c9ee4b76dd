import { Type } from '@fastify/type-provider-typebox';
import {
  AUDIT_REASON_MAX_LENGTH,
  auditReason,
  effectiveMaxTransfers,
  type License,
  MAX_EXTRA_TRANSFERS,
  ok,
  type Policy,
} from '@keyward/core';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { actorOf } from '../http/admin-api.js';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { BindingSchema, LicenseSchema, problems, RefParams, TransferLimitSchema } from '../http/schemas.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import type { Audit } from '../storage/license-events.js';

/** The vendor's support desk: release a binding, grant transfers, revoke. Each is audited with who and why. */

const Reason = Type.String({
  minLength: 1,
  maxLength: AUDIT_REASON_MAX_LENGTH,
  description: 'Why, kept in the license history with the admin token that did it: one printable line.',
});

const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });

const GrantTransfersBody = Type.Object(
  {
    add: Type.Integer({
      minimum: 1,
      maximum: MAX_EXTRA_TRANSFERS,
      description: "Transfers to allow above the policy's maxTransfers, on top of any granted before.",
    }),
    reason: Reason,
  },
  { additionalProperties: false },
);

/** Who is asking and why, once the reason is one printable line. */
function auditOf(request: FastifyRequest, reasonText: string) {
  const reason = auditReason(reasonText);
  return reason.ok ? ok<Audit>({ reason: reason.value, by: actorOf(request) }) : reason;
}

async function policyOf(ctx: ServerContext, license: License): Promise<Policy> {
  const policy = await ctx.catalogue.findPolicy(license.policyId);
  if (policy === undefined) throw new Error(`License ${license.id} has no policy ${license.policyId}`);
  return policy;
}

export const releaseLicenseRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/:ref/release',
    {
      config: { access: 'support' },
      schema: {
        operationId: 'releaseLicense',
        summary: 'Release the computer a serial is bound to, without counting a transfer.',
        description:
          'For a computer that died or whose fingerprint changed: another computer may then activate ' +
          'the serial. Until one does, the old computer may bind it again. NOT_BOUND when no computer holds it.',
        tags: ['admin'],
        params: RefParams,
        body: ReasonBody,
        response: {
          200: Type.Object({ license: LicenseSchema, released: BindingSchema }),
          ...problems(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const audit = auditOf(request, request.body.reason);
      if (!audit.ok) return answer(request, reply, audit);
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const released = await ctx.bindings.releaseByVendor(
        license.value.id,
        audit.value,
        ctx.now().toISOString(),
      );
      if (!released.ok) return answer(request, reply, released);
      return answer(request, reply, ok({ license: license.value, released: released.value }));
    },
  );
};

export const grantTransfersRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/:ref/transfers',
    {
      config: { access: 'support' },
      schema: {
        operationId: 'grantLicenseTransfers',
        summary: "Allow a license more transfers than its policy's limit.",
        tags: ['admin'],
        params: RefParams,
        body: GrantTransfersBody,
        response: {
          200: Type.Object({ license: LicenseSchema, maxTransfers: TransferLimitSchema }),
          ...problems(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const audit = auditOf(request, request.body.reason);
      if (!audit.ok) return answer(request, reply, audit);
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const policy = await policyOf(ctx, license.value);
      const granted = await ctx.licenses.grantTransfers(
        license.value,
        policy,
        request.body.add,
        audit.value,
        ctx.now().toISOString(),
      );
      if (!granted.ok) return answer(request, reply, granted);
      const maxTransfers = effectiveMaxTransfers(policy, granted.value);
      return answer(request, reply, ok({ license: granted.value, maxTransfers }));
    },
  );
};

export const revokeLicenseRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/:ref/revoke',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'revokeLicense',
        summary: 'Revoke a license for good: unlike a suspension, it cannot be reinstated.',
        description:
          'Activations and online checks are refused with LICENSE_REVOKED; the bound computer freezes at its next online check.',
        tags: ['admin'],
        params: RefParams,
        body: ReasonBody,
        response: { 200: LicenseSchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const audit = auditOf(request, request.body.reason);
      if (!audit.ok) return answer(request, reply, audit);
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const revoked = await ctx.licenses.setStatus(
        license.value,
        'revoked',
        audit.value,
        ctx.now().toISOString(),
      );
      return answer(request, reply, revoked);
    },
  );
};
