import { invariant } from '../platform/index.ts';
import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  type Caller,
  pageOf,
  toPage,
  notFound,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  PositiveMinorUnits,
  amountBoundTo,
  Timestamp,
  problemResponses,
  replayAs,
  type IdempotentReplay,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import { declineReasonCharsMax, paymentCodePattern, referenceCharsMax } from './model.ts';
import * as service from './service.ts';
import * as views from './views.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const posProblemCodes: ProblemCodes = {
  payment_code_unroutable: [422, 'No wallet on this hub issues this payment code'],
  payment_code_used: [422, 'The payment code was already used'],
};

const NewCharge = Type.Object(
  {
    paymentCode: Type.String({
      pattern: paymentCodePattern,
      description: "16 to 24 digits, beginning with the issuing wallet's prefix",
    }),
    amount: PositiveMinorUnits,
    currency: CurrencyCode,
    reference: Type.String({
      minLength: 1,
      maxLength: referenceCharsMax,
      description: "the till's reference for the sale",
    }),
  },
  { additionalProperties: false, ...amountBoundTo() },
);

const LateDecision = Type.Object(
  {
    decision: Type.Union([Type.Literal('approved'), Type.Literal('declined')]),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: declineReasonCharsMax,
        description: 'why the wallet declined, shown at the till',
      }),
    ),
  },
  { additionalProperties: false },
);

const NullableString = Type.Union([Type.String(), Type.Null()]);

const ChargeSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.Union(
      [
        Type.Literal('pending'),
        Type.Literal('succeeded'),
        Type.Literal('declined'),
        Type.Literal('unknown'),
        Type.Literal('reversed'),
      ],
      {
        description:
          'pending while the wallet is asked; unknown when it did not answer by the deadline; then succeeded, ' +
          'declined or reversed',
      },
    ),
    amount: PositiveMinorUnits,
    currency: Type.String(),
    reference: Type.String(),
    merchantId: Type.String(),
    walletId: Type.String({ description: 'the wallet whose prefix the code begins with' }),
    paymentCodeLast4: Type.String(),
    transferId: Type.Union([Type.String(), Type.Null()], { description: 'the payment, once succeeded' }),
    receiptNumber: Type.Union([Type.String(), Type.Null()], { description: 'once succeeded' }),
    declineReason: NullableString,
    reversalReason: Type.Union([Type.Literal('unknown_timeout'), Type.Literal('till_reversed'), Type.Null()]),
    deadline: Timestamp,
    createdAt: Timestamp,
    succeededAt: NullableTimestamp,
    declinedAt: NullableTimestamp,
    unknownAt: NullableTimestamp,
    reversedAt: NullableTimestamp,
  },
  { $id: 'PosCharge' },
);

const ChargeQuery = Type.Intersect([
  ListQuery,
  Type.Object({ reference: Type.Optional(Type.String({ minLength: 1, maxLength: referenceCharsMax })) }),
]);
const tags = ['pos'];

function merchantCaller(caller: Caller): Caller & { type: 'merchant' } {
  if (caller.type !== 'merchant') throw new Error(`a merchant-only route was reached by a ${caller.type}`);
  return caller;
}

/** A lost answer to a charge's creation: the charge as it stands, answered as its creation would now. */
const replayNewCharge =
  (ctx: HubContext): IdempotentReplay =>
  async (effect, request) => {
    const outcome = await views.chargeOutcomeFor(ctx, callerOf(request), effect.id);
    invariant(outcome !== undefined, `the charge ${effect.id} an idempotency key recorded exists`);
    const { httpStatus, charge } = valueOrThrow(outcome);
    return { status: httpStatus, body: charge };
  };
/** A lost answer to a reversal or a late decision: the charge as it stands. */
const replayCharge = (ctx: HubContext) => replayAs(200, (id, request) => views.readCharge(ctx, callerOf(request), id));

export function posRoutes(app: App, ctx: HubContext): void {
  app.addSchema(ChargeSchema);
  const chargeRef = Type.Unsafe<Static<typeof ChargeSchema>>({ $ref: 'PosCharge#' });

  app.post('/v1/pos/charges', {
    config: { auth: ['merchant'], idempotent: replayNewCharge(ctx) },
    schema: {
      tags,
      summary: "Charge a payment code the till scanned: the code's wallet is asked to authorise, with a deadline",
      description:
        '201 when the wallet approved; 202 with status unknown when it did not answer by the deadline (poll GET, ' +
        'or reverse); ' +
        '402 payment_declined (with chargeId and reason) when it declined; 402 limit_exceeded when its cap cannot ' +
        'take the amount.',
      body: NewCharge,
      response: { 201: chargeRef, 202: chargeRef, ...problemResponses },
    },
    handler: async (request, reply) => {
      const outcome = valueOrThrow(await service.createCharge(ctx, merchantCaller(callerOf(request)), request.body));
      return reply.code(outcome.httpStatus).send(outcome.charge);
    },
  });

  app.get('/v1/pos/charges/:id', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: {
      tags,
      summary: 'A charge, for the till to poll (and its wallet and acquirer)',
      params: IdParams,
      response: { 200: chargeRef, ...problemResponses },
    },
    handler: async (request) => {
      const charge = await views.readCharge(ctx, callerOf(request), request.params.id);
      if (!charge) throw notFound(`charge ${request.params.id}`);
      return charge;
    },
  });

  app.get('/v1/pos/charges', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: "The merchant's charges, oldest first; ?reference= finds a sale's",
      querystring: ChargeQuery,
      response: { 200: ListOf(chargeRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await views.listChargesOf(ctx, merchantCaller(callerOf(request)), {
        ...page,
        reference: request.query.reference,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.post('/v1/pos/charges/:id/reverse', {
    config: { auth: ['merchant'], idempotent: replayCharge(ctx) },
    schema: {
      tags,
      summary:
        'The till calls off a charge not yet decided: the reservation is released and the wallet told ' +
        '(authorization.reversed)',
      params: IdParams,
      response: { 200: chargeRef, ...problemResponses },
    },
    handler: async (request) => valueOrThrow(await service.reverseCharge(ctx, callerOf(request), request.params.id)),
  });

  app.post('/v1/pos/charges/:id/authorization', {
    config: { auth: ['participant'], idempotent: replayCharge(ctx) },
    schema: {
      tags,
      summary:
        "The wallet's decision on a charge it did not answer in time; 409 charge_reversed once the hub reversed it",
      params: IdParams,
      body: LateDecision,
      response: { 200: chargeRef, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.decideCharge(ctx, callerOf(request), request.params.id, request.body)),
  });
}
