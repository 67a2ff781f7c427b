import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../http/index.ts';
import { checkoutPage } from './checkout-page.ts';
import { sharePage } from './share-page.ts';

function sendPage(reply: FastifyReply, rendered: { html: string; csp: string }): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', rendered.csp)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(rendered.html);
}

/** The pages buyers and their friends open; they hold no data until their script asks the API. */
export function webRoutes(app: App): void {
  const hidden = { hide: true };
  app.get(
    '/checkout/:id',
    { schema: { ...hidden, params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } },
    async (_request, reply) => sendPage(reply, checkoutPage()),
  );
  app.get(
    '/share/:token',
    { schema: { ...hidden, params: Type.Object({ token: Type.String({ maxLength: 64 }) }) } },
    async (_request, reply) => sendPage(reply, sharePage()),
  );
}
