import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import type { App } from '../http/index.ts';
import { hubJwks } from './service.ts';

export function hubRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/hub/keys', {
    schema: {
      tags: ['hub'],
      summary: "The hub's public signing keys (JWKS)",
      response: { 200: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }) },
    },
    handler: async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await hubJwks(ctx)),
  });
}
