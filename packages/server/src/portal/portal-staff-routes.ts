import type { FastifyInstance } from 'fastify';
import { listOrders } from '../orders/order-service.js';
import { signedInAs } from './portal-guards.js';
import { orderRow } from './portal-order-view.js';
import type { PortalContext } from './portal-plugin.js';
import { renderPage } from './portal-views.js';

/** The vendor's staff pages: every dealer's orders and their state, and the dealers. */
export function portalStaffRoutes(app: FastifyInstance, portal: PortalContext): void {
  const staffOnly = { preHandler: signedInAs('staff') };

  app.get('/staff/orders', staffOnly, async (request, reply) => {
    const orders = await listOrders(portal.ctx);
    return renderPage(
      reply,
      'staff-orders',
      { title: 'Orders', user: request.portalUser, csrf: await reply.generateCsrf(), section: 'orders' },
      { orders: orders.reverse().map(orderRow) },
    );
  });

  app.get('/staff/dealers', staffOnly, async (request, reply) => {
    const [dealers, orders] = await Promise.all([portal.ctx.dealers.list(), listOrders(portal.ctx)]);
    const count = (dealerId: string, states: readonly string[]) =>
      orders.filter((order) => order.dealerId === dealerId && states.includes(order.state)).length;
    return renderPage(
      reply,
      'staff-dealers',
      { title: 'Dealers', user: request.portalUser, csrf: await reply.generateCsrf(), section: 'dealers' },
      {
        dealers: dealers.map((dealer) => ({
          username: dealer.login,
          name: dealer.name,
          email: dealer.email,
          open: count(dealer.id, ['created', 'authorized']),
          processed: count(dealer.id, ['processed']),
        })),
      },
    );
  });
}
