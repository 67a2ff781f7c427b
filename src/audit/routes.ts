import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import type { App } from '../http/app-types.ts';
import { pageOf, toPage } from '../http/pagination.ts';
import { ListOf, ListQuery, Timestamp, problemResponses } from '../http/schemas.ts';
import { listAuditEvents } from './store.ts';

const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Type.String() }),
  action: Type.String(),
  objectType: Type.String(),
  objectId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

const AuditQuery = Type.Intersect([ListQuery, Type.Object({ objectId: Type.Optional(Type.String()), actor: Type.Optional(Type.String()) })]);

export function auditRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/audit-events', {
    config: { auth: ['operator'] },
    schema: { tags: ['audit'], summary: 'The audit trail, oldest first', querystring: AuditQuery, response: { 200: ListOf(AuditEventSchema), ...problemResponses } },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await listAuditEvents(ctx.db.kysely, { ...page, objectId: request.query.objectId, actor: request.query.actor });
      return toPage(rows, page, (row) => row.id);
    },
  });
}
