import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  actorOf,
  type Caller,
  pageOf,
  toPage,
  notFound,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  Timestamp,
  problemResponses,
  replayAs,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import { type ReportAudience, reportCsv } from './model.ts';
import * as service from './service.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const settlementProblemCodes: ProblemCodes = {
  window_not_closed: [422, 'The settlement window is still open'],
  window_already_settled: [409, 'The settlement window is already settled'],
};

const Status = Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('settled')]);
const WindowSchema = Type.Object({
  id: Type.String(),
  status: Status,
  businessDate: Type.String({ format: 'date', description: 'the business day its transfers count to' }),
  openedAt: Timestamp,
  closedAt: NullableTimestamp,
  settledAt: NullableTimestamp,
  nextWindowId: Type.Union([Type.String(), Type.Null()], { description: 'the window its close opened' }),
});

const Amount = Type.Integer({ description: 'minor units' });
const ReportSchema = Type.Object({
  windowId: Type.String(),
  status: Status,
  businessDate: Type.String({ format: 'date' }),
  lines: Type.Array(
    Type.Object({
      participantId: Type.String({ description: '"hub" for the switch fees' }),
      currency: Type.String(),
      sent: Amount,
      received: Amount,
      feesPaid: Amount,
      feesReceived: Amount,
      net: Amount,
    }),
    {
      description:
        'net = received − sent + feesReceived − feesPaid; positive is owed to the participant; per currency the ' +
        'nets sum to zero',
    },
  ),
  bilateral: Type.Array(
    Type.Object({ payerId: Type.String(), payeeId: Type.String(), currency: Type.String(), amount: Amount }),
    {
      description: 'what payerId owes payeeId for the window, netted both ways; the hub is owed the switch fees',
    },
  ),
  merchants: Type.Array(
    Type.Object({
      merchantId: Type.String(),
      acquirerId: Type.String(),
      currency: Type.String(),
      payments: Type.Integer(),
      paymentAmount: Amount,
      refunds: Type.Integer(),
      refundAmount: Amount,
      chargebacks: Type.Integer(),
      chargebackAmount: Amount,
      merchantDiscount: Amount,
    }),
    {
      description: 'per merchant, for its acquirer: the merchant discount is charged outside the hub and never posted',
    },
  ),
  counts: Type.Object({
    transfers: Type.Integer(),
    payments: Type.Integer(),
    refunds: Type.Integer(),
    chargebacks: Type.Integer(),
  }),
});

const WindowQuery = Type.Intersect([ListQuery, Type.Object({ status: Type.Optional(Status) })]);
const tags = ['settlement'];
const readers = { auth: ['operator', 'participant'] } as const;

function audienceOf(caller: Caller): ReportAudience {
  return caller.type === 'operator' ? { type: 'all' } : { type: 'participant', id: caller.id };
}

/** A lost answer to a close or a settle, rebuilt from the window. */
const replayWindow = (ctx: HubContext) => replayAs(200, (id) => service.findWindow(ctx.db.kysely, id));

export function settlementRoutes(app: App, ctx: HubContext): void {
  app.post('/v1/settlement-windows/close', {
    config: { auth: ['operator'], idempotent: replayWindow(ctx) },
    schema: {
      tags,
      summary: 'Close the open window (its report is made at once) and open the next',
      response: { 200: WindowSchema, ...problemResponses },
    },
    handler: async (request) => {
      const closed = await service.closeWindow(ctx, { actor: actorOf(callerOf(request)) });
      if (!closed) throw new Error('an unconditional close always closes a window');
      return closed;
    },
  });

  app.get('/v1/settlement-windows', {
    config: readers,
    schema: {
      tags,
      summary: 'Settlement windows, oldest first',
      querystring: WindowQuery,
      response: { 200: ListOf(WindowSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await service.listWindows(ctx.db.kysely, { ...page, status: request.query.status });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get('/v1/settlement-windows/:id', {
    config: readers,
    schema: { tags, params: IdParams, response: { 200: WindowSchema, ...problemResponses } },
    handler: async (request) => {
      const window = await service.findWindow(ctx.db.kysely, request.params.id);
      if (!window) throw notFound(`settlement window ${request.params.id}`);
      return window;
    },
  });

  app.get('/v1/settlement-windows/:id/report', {
    config: readers,
    schema: {
      tags,
      summary: "A closed window's report; a participant sees only its own lines",
      params: IdParams,
      response: { 200: ReportSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.readReport(ctx, request.params.id, audienceOf(callerOf(request)))),
  });

  app.get('/v1/settlement-windows/:id/report.csv', {
    config: readers,
    schema: {
      tags,
      summary:
        "The report's lines as CSV (RFC 4180): windowId, businessDate, participantId, currency, sent, received, " +
        'feesPaid, feesReceived, net',
      params: IdParams,
      produces: ['text/csv'],
      response: problemResponses,
    },
    handler: async (request, reply) => {
      const report = valueOrThrow(await service.readReport(ctx, request.params.id, audienceOf(callerOf(request))));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="settlement-${report.windowId}.csv"`)
        .send(reportCsv(report));
    },
  });

  app.post('/v1/settlement-windows/:id/settle', {
    config: { auth: ['operator'], idempotent: replayWindow(ctx) },
    schema: {
      tags,
      summary: "Record that the window's money moved outside the hub: post minus each participant's net",
      params: IdParams,
      response: { 200: WindowSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.settleWindow(ctx, request.params.id, { actor: actorOf(callerOf(request)) })),
  });
}
