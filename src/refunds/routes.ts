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
  findIdempotentEffect,
  type Caller,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import { type Refund, reasonCharsMax } from './model.ts';
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
const RefundFilter = Type.Object({
  transferId: Type.Optional(Type.String()),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

async function refundsAskedWith(ctx: HubContext, caller: Caller, key: string): Promise<Refund[]> {
  const sent = { caller, method: 'POST', route: '/v1/refunds' };
  const effect = caller.type === 'merchant' ? await findIdempotentEffect(ctx.db.kysely, sent, key) : undefined;
  const refund = effect?.kind === 'refund' ? await readRefund(ctx, caller, effect.id) : undefined;
  return refund ? [refund] : [];
}

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
      summary:
        "Refunds the caller is party to, optionally of one payment (?transferId= is the payment's transfer); " +
        '?idempotencyKey= finds the one a merchant asked for with that key, to settle an answer it never got',
      querystring: Type.Intersect([ListQuery, RefundFilter]),
      response: { 200: ListOf(RefundSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const caller = callerOf(request);
      const { idempotencyKey, transferId } = request.query;
      if (idempotencyKey !== undefined)
        return toPage(await refundsAskedWith(ctx, caller, idempotencyKey), page, (row) => row.id);
      const rows = await listRefundsFor(ctx, caller, { ...page, transferId });
      return toPage(rows, page, (row) => row.id);
    },
  });
}
