import {
  checkStatedFrom,
  type KeywardError,
  type Result,
  upgradeFileName,
  upgradeLines,
} from '@keyward/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openRequestFile } from '../licensing/update-service.js';
import { mailUpgradeFile } from '../orders/order-notices.js';
import { listOrders, showOrder } from '../orders/order-service.js';
import { viewOrder } from '../orders/order-view.js';
import { checkOrderAuthorization, processOrder } from '../orders/process-order.js';
import type { OrderRecord } from '../storage/order-store.js';
import { signedInAs, userOf } from './portal-guards.js';
import {
  changeLines,
  countLines,
  fromMismatchFields,
  orderRow,
  readFromFields,
} from './portal-order-view.js';
import type { PortalContext } from './portal-plugin.js';
import { type FormErrors, renderPage } from './portal-views.js';

type Form = Readonly<Record<string, unknown>>;

const text = (form: Form, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** Where a refusal of the order step is shown: beside the order ID, beside the number, or above the form. */
function orderStepErrors(error: KeywardError): FormErrors {
  switch (error.code) {
    case 'ORDER_NOT_FOUND':
      return { fields: { orderId: 'None of your orders has this ID: check it in the order e-mail.' } };
    case 'AUTHORIZATION_INVALID':
    case 'ORDER_LOCKED':
    case 'CODE_MISTYPED':
    case 'VALIDATION_FAILED':
      return { fields: { authorization: error.message } };
    default:
      return { summary: error.message };
  }
}

/**
 * The dealer's pages: the orders, and processing one as the source document walks it: order ID
 * and authorization number, the From counts (To fills itself in), online or offline, the key
 * information file, a summary, the download, the confirmation. Each step sends the order ID and
 * authorization number again and is checked again, so no step can be skipped or replayed for
 * another order.
 */
export function portalOrderRoutes(app: FastifyInstance, portal: PortalContext): void {
  const { ctx } = portal;
  const dealerOnly = { preHandler: signedInAs('dealer') };
  const frame = async (request: FastifyRequest, reply: FastifyReply, title: string, section = 'process') => ({
    title,
    user: request.portalUser,
    csrf: await reply.generateCsrf(),
    section,
  });

  app.get('/orders', dealerOnly, async (request, reply) => {
    const orders = await listOrders(ctx, { dealerId: userOf(request).id });
    return renderPage(reply, 'orders', await frame(request, reply, 'My orders', 'orders'), {
      orders: orders.reverse().map(orderRow),
    });
  });

  const startPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors = {},
    orderId = '',
  ) =>
    renderPage(
      reply,
      'process-start',
      await frame(request, reply, 'Process an order'),
      { errors, orderId },
      errors.summary === undefined && errors.fields === undefined ? 200 : 422,
    );

  app.get('/process', dealerOnly, async (request, reply) => startPage(request, reply));

  /** The order of a step's form, checked again; a refusal sends the dealer back to the first step. */
  async function authorizedOrder(
    request: FastifyRequest,
    form: Form,
  ): Promise<Result<{ order: OrderRecord; authorization: string }>> {
    const authorization = text(form, 'authorization');
    const order = await checkOrderAuthorization(
      ctx,
      text(form, 'orderId'),
      userOf(request).id,
      authorization,
    );
    return order.ok ? { ok: true, value: { order: order.value, authorization } } : order;
  }

  const countsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    order: OrderRecord,
    authorization: string,
    state: { from?: Record<string, string>; mode?: string; errors?: FormErrors } = {},
  ) =>
    renderPage(
      reply,
      'process-counts',
      await frame(request, reply, 'License upgrade order'),
      {
        order: orderRow(viewOrder(order, ctx.now())),
        authorization,
        lines: countLines(order.items),
        from: state.from ?? {},
        mode: state.mode ?? 'offline',
        errors: state.errors ?? {},
      },
      state.errors === undefined ? 200 : 422,
    );

  app.post('/process', dealerOnly, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const checked = await authorizedOrder(request, form);
    if (!checked.ok) return startPage(request, reply, orderStepErrors(checked.error), text(form, 'orderId'));
    return countsPage(request, reply, checked.value.order, checked.value.authorization);
  });

  app.post('/process/licenses', dealerOnly, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const checked = await authorizedOrder(request, form);
    if (!checked.ok) return startPage(request, reply, orderStepErrors(checked.error), text(form, 'orderId'));
    const { order, authorization } = checked.value;
    const mode = text(form, 'mode') === 'online' ? 'online' : 'offline';
    const counts = readFromFields(form, order.items);
    if (Object.keys(counts.errors).length > 0)
      return countsPage(request, reply, order, authorization, {
        from: counts.from,
        mode,
        errors: { fields: counts.errors },
      });
    const data = {
      order: orderRow(viewOrder(order, ctx.now())),
      authorization,
      from: counts.from,
      errors: {},
    };
    if (mode === 'online')
      return renderPage(reply, 'process-online', await frame(request, reply, 'Online upgrade'), data);
    return renderPage(reply, 'process-upload', await frame(request, reply, 'Upload key information'), data);
  });

  app.post('/process/key-information', dealerOnly, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const checked = await authorizedOrder(request, form);
    if (!checked.ok) return startPage(request, reply, orderStepErrors(checked.error), text(form, 'orderId'));
    const { order, authorization } = checked.value;
    const counts = readFromFields(form, order.items);
    if (Object.keys(counts.errors).length > 0)
      return countsPage(request, reply, order, authorization, {
        from: counts.from,
        errors: { fields: counts.errors },
      });
    const upload = form.keyInformation;
    const fileText = Buffer.isBuffer(upload) ? upload.toString('utf8') : '';
    const uploadPage = async (message: string) =>
      renderPage(
        reply,
        'process-upload',
        await frame(request, reply, 'Upload key information'),
        {
          order: orderRow(viewOrder(order, ctx.now())),
          authorization,
          from: counts.from,
          errors: { fields: { keyInformation: message } },
        },
        422,
      );
    if (fileText.trim() === '')
      return uploadPage('Choose the key information file (KeyUpload.dat) to upload.');
    const request_ = openRequestFile(ctx, fileText);
    if (!request_.ok) return uploadPage(`This file cannot be used: ${request_.error.message}`);
    const key = request_.value;
    const lines = checkStatedFrom(upgradeLines(order.items, key.contents), counts.stated);
    if (!lines.ok)
      return countsPage(request, reply, order, authorization, {
        from: counts.from,
        errors: { fields: fromMismatchFields(lines.error.detail, lines.error.message) },
      });
    return renderPage(reply, 'process-summary', await frame(request, reply, 'Summary'), {
      order: orderRow(viewOrder(order, ctx.now())),
      authorization,
      key: { serial: key.serial, format: 2, step: key.sequence },
      changes: changeLines(lines.value),
      keyInformation: fileText,
      from: counts.from,
    });
  });

  app.post('/process/submit', dealerOnly, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const opened = openRequestFile(ctx, text(form, 'keyInformation'));
    const orderId = text(form, 'orderId');
    if (!opened.ok)
      return startPage(
        request,
        reply,
        { summary: `The key information could not be read again: ${opened.error.message}` },
        orderId,
      );
    const order = await ctx.orders.find(orderId);
    const counts = order === undefined ? undefined : readFromFields(form, order.items);
    const processed = await processOrder(ctx, {
      orderId,
      authorizationNumber: text(form, 'authorization'),
      request: opened.value,
      dealerId: userOf(request).id,
      statedFrom: counts?.stated,
      transport: 'file',
    });
    if (!processed.ok) {
      if (processed.error.code === 'FROM_MISMATCH' && order !== undefined)
        return countsPage(request, reply, order, text(form, 'authorization'), {
          from: counts?.from,
          errors: { fields: fromMismatchFields(processed.error.detail, processed.error.message) },
        });
      return startPage(request, reply, orderStepErrors(processed.error), orderId);
    }
    return reply.redirect(`/portal/orders/${encodeURIComponent(orderId)}/download`, 303);
  });

  /** A processed order of the signed-in dealer, with its upgrade file. */
  async function processedOrder(request: FastifyRequest, id: string) {
    const order = await showOrder(ctx, id, userOf(request).id);
    if (!order.ok || order.value.state !== 'processed' || order.value.updateId === null) return undefined;
    const update = await ctx.updates.issued(order.value.updateId);
    return update === undefined
      ? undefined
      : { order: order.value, file: update.file, serial: update.serial };
  }

  app.get<{ Params: { id: string } }>('/orders/:id/download', dealerOnly, async (request, reply) => {
    const found = await processedOrder(request, request.params.id);
    if (found === undefined) return reply.callNotFound();
    return renderPage(
      reply,
      'process-download',
      await frame(request, reply, 'Download the key upgrade file'),
      {
        order: orderRow(found.order),
        key: { serial: found.serial },
        fileName: upgradeFileName(found.serial),
      },
    );
  });

  app.get<{ Params: { id: string } }>('/orders/:id/upgrade-file', dealerOnly, async (request, reply) => {
    const found = await processedOrder(request, request.params.id);
    if (found === undefined) return reply.callNotFound();
    // The first download is the moment the source document e-mails the dealer a copy.
    await mailUpgradeFile(ctx, found.order.id);
    return reply
      .header('content-disposition', `attachment; filename="${upgradeFileName(found.serial)}"`)
      .type('application/octet-stream')
      .send(found.file);
  });

  app.post<{ Params: { id: string } }>('/orders/:id/confirm', dealerOnly, async (request, reply) => {
    const found = await processedOrder(request, request.params.id);
    if (found === undefined) return reply.callNotFound();
    return renderPage(reply, 'process-done', await frame(request, reply, 'Order confirmed'), {
      order: orderRow(found.order),
    });
  });
}
