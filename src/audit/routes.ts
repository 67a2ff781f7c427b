import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { type App, callerOf, pageOf, toPage, ListOf, ListQuery, Timestamp, problemResponses } from '../http/index.ts';
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

const AuditQuery = Type.Intersect([
  ListQuery,
  Type.Object({ objectId: Type.Optional(Type.String()), actor: Type.Optional(Type.String()) }),
]);

export function auditRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/audit-events', {
    config: { auth: ['operator', 'merchant', 'participant'] },
    schema: {
      tags: ['audit'],
      summary: 'The audit trail, oldest first',
      description:
        'The operator reads every event. A merchant or a participant reads the events about its own objects: ' +
        'itself, what it did, and the objects that name it as their merchant or wallet (channels, rollout rules, ' +
        '...). ' +
        'Filters narrow what the caller may read; they never widen it.',
      querystring: AuditQuery,
      response: { 200: ListOf(AuditEventSchema), ...problemResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const page = pageOf(request.query);
      const party = caller.type === 'operator' ? undefined : caller.id;
      const rows = await listAuditEvents(ctx.db.kysely, {
        ...page,
        party,
        objectId: request.query.objectId,
        actor: request.query.actor,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });
}
