import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  Problem,
  notFound,
  IdParams,
  ListQuery,
  pageItemsDefault,
  pageItemsMax,
  replayAs,
} from '../http/index.ts';
import { type ItemKind, type Reconciliation, itemKinds } from './model.ts';
import { createReconciliation, itemsPage, listLatest, readReconciliation } from './service.ts';

/** An upload is held once as bytes so its signature's digest can be checked before any line is read. */
export const uploadBytesMax = 256 * 1024 * 1024;

const listNames: Record<ItemKind, string> = {
  missing_at_hub: 'missingAtHub',
  missing_at_participant: 'missingAtParticipant',
  mismatched: 'mismatched',
  malformed: 'malformed',
};

/** The reconciliation with the first page of each of its lists. */
async function withLists(ctx: HubContext, reconciliation: Reconciliation) {
  const lists = await Promise.all(
    itemKinds.map(
      async (kind) =>
        [listNames[kind], await itemsPage(ctx, reconciliation.id, kind, undefined, pageItemsDefault)] as const,
    ),
  );
  return { ...reconciliation, ...Object.fromEntries(lists) };
}

const tags = ['reconciliation'];

/** A lost answer to an upload, rebuilt from its finished reconciliation. */
const replayReconciliation = (ctx: HubContext) =>
  replayAs(201, async (id, request) => {
    const found = await readReconciliation(ctx, callerOf(request), id);
    return found && withLists(ctx, found);
  });

export function reconciliationRoutes(app: App, ctx: HubContext): void {
  void app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'buffer', bodyLimit: uploadBytesMax },
      (request: FastifyRequest, body: Buffer, done) => {
        request.rawBody = body;
        done(null, body);
      },
    );
    scope.post('/v1/reconciliations', {
      config: { auth: ['participant'], idempotent: replayReconciliation(ctx) },
      bodyLimit: uploadBytesMax,
      schema: {
        tags,
        summary: "Match the participant's own records of a window (CSV, the statement's columns) against the hub's",
        querystring: Type.Object({ windowId: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
      handler: async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body)) throw new Problem('unsupported_media_type', 'send the records as text/csv');
        const { windowId } = request.query as { windowId: string };
        const done = valueOrThrow(await createReconciliation(ctx, callerOf(request), windowId, body));
        return reply.code(201).send(await withLists(ctx, done));
      },
    });
  });

  app.get('/v1/reconciliations/:id', {
    config: { auth: ['participant', 'operator'] },
    schema: { tags, params: IdParams },
    handler: async (request) => {
      const found = await readReconciliation(ctx, callerOf(request), request.params.id);
      if (!found) throw notFound(`reconciliation ${request.params.id}`);
      return withLists(ctx, found);
    },
  });

  app.get('/v1/reconciliations/:id/items', {
    config: { auth: ['participant', 'operator'] },
    schema: {
      tags,
      summary: 'One list of a reconciliation, paged',
      params: IdParams,
      querystring: Type.Object({
        kind: Type.Union(itemKinds.map((kind) => Type.Literal(kind))),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: pageItemsMax, default: pageItemsDefault })),
        after: Type.Optional(Type.String({ maxLength: 200 })),
      }),
    },
    handler: async (request) => {
      const found = await readReconciliation(ctx, callerOf(request), request.params.id);
      if (!found) throw notFound(`reconciliation ${request.params.id}`);
      const query = request.query;
      return itemsPage(ctx, found.id, query.kind, query.after, query.limit ?? pageItemsDefault);
    },
  });

  app.get('/v1/reconciliations', {
    config: { auth: ['participant', 'operator'] },
    schema: {
      tags,
      summary: 'The latest reconciliation of each participant and window: who has not reconciled, who has differences',
      querystring: ListQuery,
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const page = pageOf(request.query);
      const rows = await listLatest(
        ctx.db.kysely,
        caller.type === 'operator' ? undefined : caller.id,
        page.limit,
        page.after,
      );
      return toPage(rows, page, (row) => row.id);
    },
  });
}
