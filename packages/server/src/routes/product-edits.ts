import { Type } from '@fastify/type-provider-typebox';
import { ok, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { ProductSchema, problems, RefParams } from '../http/schemas.js';
import { ArchiveBody } from './archive-body.js';

const EditProductBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const editProductRoutes: RouteModule = (app, ctx) => {
  app.patch(
    '/v1/products/:ref',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'editProduct',
        summary:
          "Rename a product (its code stays: the application's SDK configuration and every license carry it).",
        tags: ['admin'],
        params: RefParams,
        body: EditProductBody,
        response: { 200: ProductSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const product = await ctx.catalogue.findProduct(request.params.ref);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      const renamed = await ctx.catalogue.renameProduct(product.id, request.body.name);
      return answer(request, reply, renamed === undefined ? refuse('PRODUCT_NOT_FOUND') : ok(renamed));
    },
  );

  app.post(
    '/v1/products/:ref/archive',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'archiveProduct',
        summary:
          'Archive a product: it takes no new policies or licenses (PRODUCT_ARCHIVED); its licenses keep working.',
        tags: ['admin'],
        params: RefParams,
        body: ArchiveBody,
        response: { 200: ProductSchema, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const product = await ctx.catalogue.findProduct(request.params.ref);
      if (product === undefined) return answer(request, reply, refuse('PRODUCT_NOT_FOUND'));
      const archived = await ctx.catalogue.archiveProduct(product.id, ctx.now().toISOString());
      return answer(request, reply, archived === undefined ? refuse('PRODUCT_NOT_FOUND') : ok(archived));
    },
  );
};
