import { Type } from '@fastify/type-provider-typebox';
import { newId, ok, refuse } from '@keyward/core';
import { answer, type RouteModule } from '../http/keyward-app.js';
import { ProductSchema, problems } from '../http/schemas.js';

const CreateProductBody = Type.Object(
  {
    code: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{1,62}$',
      description: 'Short, stable product code, e.g. "cad-pro".',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const createProductRoute: RouteModule = (app, ctx) => {
  app.post(
    '/v1/products',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createProduct',
        summary: 'Create a product.',
        tags: ['admin'],
        body: CreateProductBody,
        response: { 201: ProductSchema, ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const product = { id: newId('prd'), ...request.body, createdAt: ctx.now().toISOString() };
      const created = await ctx.catalogue.createProduct(product);
      return answer(request, reply, created ? ok(product) : refuse('PRODUCT_CODE_TAKEN'), 201);
    },
  );
};

export const listProductsRoute: RouteModule = (app, ctx) => {
  app.get(
    '/v1/products',
    {
      config: { access: 'read' },
      schema: {
        operationId: 'listProducts',
        summary: 'List the products.',
        tags: ['admin'],
        response: { 200: Type.Object({ products: Type.Array(ProductSchema) }), ...problems(401) },
      },
    },
    async () => ({ products: await ctx.catalogue.listProducts() }),
  );
};
