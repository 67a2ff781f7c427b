import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  notFound,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  PositiveMinorUnits,
  Timestamp,
  problemResponses,
  replayAs,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import { reasonCharsMax } from './model.ts';
import { createRefund, listRefundsFor, readRefund } from './service.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const refundsProblemCodes: ProblemCodes = {
  refund_exceeds_remaining: [422, 'The refund is more than what remains of the payment'],
  payment_not_refundable: [422, 'The transfer is not a committed payment'],
};

const NewRefund = Type.Object(
  {
    transferId: Type.String({ minLength: 1, maxLength: 64 }),
    amount: PositiveMinorUnits,
    reason: Type.String({ minLength: 1, maxLength: reasonCharsMax }),
  },
  { additionalProperties: false },
);

const RefundSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  paymentTransferId: Type.String(),
  transferId: Type.String({ description: "the refund's own transfer" }),
  receiptNumber: Type.String(),
  reason: Type.String(),
  merchantId: Type.String(),
  createdAt: Timestamp,
  succeededAt: NullableTimestamp,
});

const tags = ['refunds'];

export function refundRoutes(app: App, ctx: HubContext): void {
  app.post('/v1/refunds', {
    config: { auth: ['merchant'], idempotent: replayAs(201, (id, request) => readRefund(ctx, callerOf(request), id)) },
    schema: {
      tags,
      summary: 'Refund part or all of any payment the merchant received',
      body: NewRefund,
      response: { 201: RefundSchema, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(valueOrThrow(await createRefund(ctx, callerOf(request), request.body))),
  });

  app.get('/v1/refunds/:id', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: { tags, params: IdParams, response: { 200: RefundSchema, ...problemResponses } },
    handler: async (request) => {
      const refund = await readRefund(ctx, callerOf(request), request.params.id);
      if (!refund) throw notFound(`refund ${request.params.id}`);
      return refund;
    },
  });

  app.get('/v1/refunds', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: {
      tags,
      summary: "Refunds the caller is party to, optionally of one payment (?transferId= is the payment's transfer)",
      querystring: Type.Intersect([ListQuery, Type.Object({ transferId: Type.Optional(Type.String()) })]),
      response: { 200: ListOf(RefundSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await listRefundsFor(ctx, callerOf(request), { ...page, transferId: request.query.transferId });
      return toPage(rows, page, (row) => row.id);
    },
  });
}
