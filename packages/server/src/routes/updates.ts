import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { ContainerMessageSchema, problems, RefParams } from '../http/schemas.js';
import { findLicenseByRef } from '../licensing/license-ref.js';
import {
  issueForLicense,
  issueFromRequest,
  issueFromRequestCode,
  openRequestFile,
  pendingPackages,
} from '../licensing/update-service.js';

// Each operation is read by core's closed operation schemas; here only its size is bounded.
const Operations = Type.Array(
  Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 8 }),
  {
    minItems: 1,
    maxItems: 100,
    description:
      'Operations: set-expiry, add-seats, set-seats, set-counter, increment-counter, decrement-counter, set-password (with a hash), write-memory, delete-memory, set-verification.',
  },
);

const UpdateSummarySchema = Type.Object({
  id: Type.String(),
  fromSequence: Type.Integer(),
  toSequence: Type.Integer(),
  operations: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  transport: Type.Union([Type.Literal('file'), Type.Literal('code'), Type.Literal('online')], {
    description: 'How it was asked for and travels: a request file, a request code read out, or online.',
  }),
  orderRef: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const IssuedSchema = Type.Object({
  update: UpdateSummarySchema,
  file: Type.String({ description: 'The Key Upgrade file (armored text).' }),
  activationCode: Type.Optional(
    Type.String({ description: 'The activation code, for an update asked for by request code.' }),
  ),
});

/** Key Information Data File in, Key Upgrade file out, after the From check. */
export const createUpdateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/updates',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createUpdate',
        summary: "Make a remote update from a customer's request file: its update file and code.",
        tags: ['admin'],
        body: Type.Object(
          {
            request: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200_000,
                description: 'The request file (armored text).',
              }),
            ),
            serial: Type.Optional(
              Type.String({ minLength: 1, maxLength: 40, description: 'With requestCode.' }),
            ),
            requestCode: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'The request code read out by the customer.',
              }),
            ),
            operations: Operations,
            orderRef: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: IssuedSchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { request: file, serial, requestCode, ...order } = request.body;
      if (file !== undefined && serial === undefined && requestCode === undefined) {
        const opened = openRequestFile(ctx, file);
        if (!opened.ok) return answer(request, reply, opened);
        const issued = await issueFromRequest(ctx, opened.value, { ...order, transport: 'file' });
        return answer(
          request,
          reply,
          issued.ok ? ok({ update: issued.value.update, file: issued.value.file }) : issued,
          201,
        );
      }
      if (file === undefined && serial !== undefined && requestCode !== undefined) {
        const issued = await issueFromRequestCode(ctx, serial, requestCode, order);
        if (!issued.ok) return answer(request, reply, issued);
        const { update, file: updateFile, code } = issued.value;
        return answer(request, reply, ok({ update, file: updateFile, activationCode: code }), 201);
      }
      return answer(
        request,
        reply,
        refuse('VALIDATION_FAILED', 'Give either a request file, or a serial with its request code.'),
      );
    },
  );
};

/** An update for the license's container to pull online (the file is returned too, for a container that stays offline). */
export const queueUpdateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/licenses/:ref/updates',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'queueUpdate',
        summary: 'Queue an update of a license for its container to fetch online.',
        tags: ['admin'],
        params: RefParams,
        body: Type.Object(
          { operations: Operations, orderRef: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: IssuedSchema, ...problems(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const issued = await issueForLicense(ctx, request.params.ref, { ...request.body, transport: 'online' });
      return answer(
        request,
        reply,
        issued.ok ? ok({ update: issued.value.update, file: issued.value.file }) : issued,
        201,
      );
    },
  );
};

export const listUpdatesRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/licenses/:ref/updates',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listUpdates',
        summary:
          "A license's updates, in order: the step each brings, its transport, and whether it is applied.",
        tags: ['admin'],
        params: RefParams,
        response: {
          200: Type.Object({
            sequence: Type.Integer({ description: "The step of the vendor's record." }),
            reportedSequence: Type.Integer({
              description:
                'The highest step a container of the license reported (activation, check, request file or code, online update): its receipt.',
            }),
            contents: Type.Record(Type.String(), Type.Unknown()),
            updates: Type.Array(
              Type.Object({
                ...UpdateSummarySchema.properties,
                applied: Type.Boolean({
                  description: 'Whether a container reported the step this update brings (or a later one).',
                }),
              }),
            ),
          }),
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) => {
      const license = await findLicenseByRef(ctx, request.params.ref);
      if (!license.ok) return answer(request, reply, license);
      const record = await ctx.bindings.findSerial(license.value.serial);
      if (record === undefined) return answer(request, reply, refuse('LICENSE_NOT_FOUND'));
      const updates = await ctx.updates.history(license.value.id);
      return {
        sequence: record.sequence,
        reportedSequence: record.reportedSequence,
        contents: { ...record.contents },
        updates: updates.map((update) => ({
          ...update,
          operations: [...update.operations],
          applied: record.reportedSequence >= update.toSequence,
        })),
      };
    },
  );
};

/** An issued update's file again: for a customer who lost it, or who stays offline while updates were queued online. */
export const updateFileRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/updates/:id/file',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'getUpdateFile',
        summary: 'The update file of an update, to send to the customer.',
        tags: ['admin'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Type.Object({ file: Type.String() }), ...problems(401, 404) },
      },
    },
    async (request, reply) => {
      const file = await ctx.updates.fileOf(request.params.id);
      return answer(
        request,
        reply,
        file === undefined ? refuse('NOT_FOUND', 'No update has this id.') : ok({ file }),
      );
    },
  );
};

/** Online update: the container states where it is and receives the packages issued since. */
export const pullUpdatesRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/machine/updates',
    {
      schema: {
        operationId: 'pullUpdates',
        summary: 'A container fetches the updates queued for its license.',
        tags: ['machine'],
        body: ContainerMessageSchema,
        response: { 200: Type.Object({ packages: Type.Array(Type.String()) }), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const packages = await pendingPackages(ctx, request.body);
      return answer(request, reply, packages.ok ? ok({ packages: packages.value }) : packages);
    },
  );
};
