import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { type App, callerOf, Problem } from '../http/index.ts';
import { merchantSummaryBody, statementStream } from './service.ts';

const BusinessDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const StatementQuery = Type.Object({
  windowId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(BusinessDate),
  to: Type.Optional(BusinessDate),
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])),
  groupBy: Type.Optional(Type.Literal('merchant')),
  participantId: Type.Optional(Type.String({ description: 'the operator names whose statement it reads' })),
});

export function statementRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/statements', {
    config: { auth: ['participant', 'operator'] },
    schema: {
      tags: ['statements'],
      summary: 'Every transfer the participant is party to, for a window or a range of business dates; streamed',
      description:
        'CSV (RFC 4180) or JSON. With groupBy=merchant, an acquirer gets per merchant: gross, refunds, merchant ' +
        'discount and net to pay.',
      querystring: StatementQuery,
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const query = request.query;
      if (query.windowId === undefined && query.from === undefined) {
        throw new Problem('invalid_request', 'name a window or a first business date', {
          errors: [{ pointer: '/query/windowId', detail: 'windowId or from is required' }],
        });
      }
      const participantId = caller.type === 'operator' ? query.participantId : caller.id;
      if (participantId === undefined)
        throw new Problem('invalid_request', 'the operator names the participant', {
          errors: [{ pointer: '/query/participantId', detail: 'is required' }],
        });
      const scope = { participantId, windowId: query.windowId, fromDate: query.from, toDate: query.to };
      const format = query.format ?? 'json';
      const contentType = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
      reply.header('content-type', contentType).header('cache-control', 'no-store');
      if (query.groupBy === 'merchant') return reply.send(await merchantSummaryBody(ctx, scope, format));
      if (format === 'csv')
        reply.header(
          'content-disposition',
          `attachment; filename="statement-${participantId}-${query.windowId ?? query.from}.csv"`,
        );
      return reply.send(statementStream(ctx, scope, format));
    },
  });
}
