import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  notFound,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  PositiveMinorUnits,
  amountBoundTo,
  Timestamp,
  problemResponses,
  replayAs,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import { canSeeTransfer, findTransfer, transferJson, TransferSchema } from '../transfers/index.ts';
import { type PaymentService, findPayment, listPayments } from './service.ts';

/** Every way a wallet may be refused a payment, whatever it pays (checkout codes included: attempts use them too). */
/** The problem codes this capability answers besides the base ones; the root registers them. */
export const paymentsProblemCodes: ProblemCodes = {
  payment_token_unknown: [422, 'The payment token is not known'],
  qr_not_routable: [422, 'The QR payload cannot be paid through this hub'],
  checkout_canceled: [422, 'The checkout was canceled'],
  checkout_expired: [422, 'The checkout has expired'],
  method_not_offered: [422, 'This wallet or flow is not offered for this checkout'],
  channel_not_approved: [422, 'The wallet has no approved channel with this merchant'],
  amount_mismatch: [422, 'The amount differs from what is to be paid'],
  currency_mismatch: [422, 'The currency differs from what is to be paid'],
  pos_qr_already_paid: [409, 'The till QR is already paid'],
  payer_ref_reused: [409, 'The payer.ref names a transfer that paid something else'],
  pos_qr_expired: [422, 'The till QR has expired'],
  pos_qr_canceled: [422, 'The till QR was canceled'],
  wallet_mismatch: [422, 'The payment token was issued to another wallet'],
};

const ResolveBody = Type.Union(
  [
    Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    Type.Object({ qrPayload: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
  ],
  { description: 'a token from a deep link, or a scanned QR payload' },
);

const PaymentRequestSchema = Type.Object({
  paymentToken: Type.String(),
  merchant: Type.Object({ id: Type.String(), name: Type.String(), city: Type.String(), mcc: Type.String() }),
  amount: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Union([Type.Array(Type.Unknown()), Type.Null()]),
  expiresAt: Timestamp,
  returnUrl: Type.Union([Type.String(), Type.Null()], {
    description:
      "where to send the buyer after they approve: the checkout's return URL, else the hosted checkout; " +
      'null for a till QR or a placard',
  }),
});

/** What a wallet sends to pay, alone or as one item of a batch. */
export const TransferBody = Type.Object(
  {
    paymentToken: Type.String({ minLength: 1, maxLength: 200 }),
    amount: PositiveMinorUnits,
    currency: CurrencyCode,
    payer: Type.Object({ ref: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false, ...amountBoundTo() },
);

const PaymentSchema = Type.Object({
  id: Type.String(),
  receiptNumber: Type.String(),
  walletId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  source: Type.String(),
  status: Type.String(),
  refundedAmount: Type.Integer(),
  checkoutId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

/** A lost answer to a transfer, rebuilt from it. */
const replayTransfer = (ctx: HubContext) =>
  replayAs(201, async (id, request) => {
    const paid = await findTransfer(ctx.db.kysely, id);
    return paid && canSeeTransfer(callerOf(request), paid) ? transferJson(paid) : undefined;
  });

export function paymentRoutes(app: App, ctx: HubContext, payments: PaymentService): void {
  app.post('/v1/payment-requests/resolve', {
    config: { auth: ['participant'] },
    schema: {
      tags: ['payments'],
      summary: 'What a token or scanned QR asks this wallet to pay',
      body: ResolveBody,
      response: { 200: PaymentRequestSchema, ...problemResponses },
    },
    handler: async (request) => {
      const body = request.body as { token?: string; qrPayload?: string };
      const resolved = valueOrThrow(await payments.resolve(ctx, callerOf(request), body));
      return { ...resolved, returnUrl: resolved.returnUrl ?? null };
    },
  });

  app.post('/v1/transfers', {
    config: { auth: ['participant'], idempotent: replayTransfer(ctx) },
    schema: {
      tags: ['payments'],
      summary: "Pay: the wallet's signed transfer; a repeated payer.ref returns the original",
      body: TransferBody,
      response: { 201: TransferSchema, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { paymentToken, amount, currency, payer } = request.body;
      const paid = valueOrThrow(
        await payments.transfer(ctx, callerOf(request), { paymentToken, amount, currency, payerRef: payer.ref }),
      );
      if (paid.repeated) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(transferJson(paid.transfer));
    },
  });

  app.get('/v1/payments', {
    config: { auth: ['merchant'] },
    schema: {
      tags: ['payments'],
      summary: 'Every payment the merchant received, whatever its source',
      querystring: Type.Intersect([ListQuery, Type.Object({ source: Type.Optional(Type.String()) })]),
      response: { 200: ListOf(PaymentSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await listPayments(ctx.db.kysely, {
        ...page,
        merchantId: callerOf(request).id,
        source: request.query.source,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get('/v1/payments/:id', {
    config: { auth: ['merchant'] },
    schema: { tags: ['payments'], params: IdParams, response: { 200: PaymentSchema, ...problemResponses } },
    handler: async (request) => {
      const payment = await findPayment(ctx.db.kysely, callerOf(request).id, request.params.id);
      if (!payment) throw notFound(`payment ${request.params.id}`);
      return payment;
    },
  });
}
