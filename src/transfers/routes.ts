import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  callerOf,
  pageOf,
  toPage,
  notFound,
  IdParams,
  ListOf,
  ListQuery,
  MinorUnits,
  NullableTimestamp,
  Timestamp,
  problemResponses,
} from '../http/index.ts';
import { transferJson } from './model.ts';
import * as service from './service.ts';

const Fees = Type.Object(
  { interchange: MinorUnits, issuerSwitchFee: MinorUnits, acquirerSwitchFee: MinorUnits, merchantDiscount: MinorUnits },
  {
    description:
      'on a payment: what it charged; on a refund: the interchange and merchant discount it returned (switch fees ' +
      'are never returned)',
  },
);
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** A transfer as the API shows it (`transferJson`); POST /v1/transfers answers the same shape. */
export const TransferSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([
    Type.Literal('payment'),
    Type.Literal('refund'),
    Type.Literal('chargeback'),
    Type.Literal('arbitration_fee'),
  ]),
  status: Type.Union([Type.Literal('committed'), Type.Literal('reserved'), Type.Literal('released')]),
  receiptNumber: Type.String({ pattern: '^[0-9]{12}$' }),
  amount: MinorUnits,
  currency: Type.String(),
  payerParticipantId: Type.String(),
  payeeParticipantId: Type.String(),
  merchantId: Type.String(),
  checkoutId: NullableString,
  payerRef: NullableString,
  source: Type.String({
    description: 'checkout | placard | till_qr | payment_code | fspiop | refund | chargeback | arbitration_fee',
  }),
  paymentTransferId: Type.Union([Type.String(), Type.Null()], {
    description: 'on a refund or chargeback: the payment it returns',
  }),
  refundedAmount: MinorUnits,
  onUs: Type.Boolean(),
  fees: Fees,
  windowId: Type.Union([Type.String(), Type.Null()], {
    description: 'the settlement window the transfer was committed in; null until committed',
  }),
  businessDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: "that window's business date",
  }),
  createdAt: Timestamp,
  committedAt: NullableTimestamp,
  releasedAt: NullableTimestamp,
});

const TransferQuery = Type.Intersect([
  ListQuery,
  Type.Object({ payerRef: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
]);
const tags = ['transfers'];
const transferReaders = { auth: ['operator', 'participant'] } as const;

export function transferRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/transfers/:id', {
    config: transferReaders,
    schema: {
      tags,
      summary: 'A transfer, for its two participants',
      params: IdParams,
      response: { 200: TransferSchema, ...problemResponses },
    },
    handler: async (request) => {
      const transfer = await service.findTransfer(ctx.db.kysely, request.params.id);
      if (!transfer || !service.canSeeTransfer(callerOf(request), transfer))
        throw notFound(`transfer ${request.params.id}`);
      return transferJson(transfer);
    },
  });

  app.get('/v1/transfers', {
    config: transferReaders,
    schema: {
      tags,
      summary: 'Transfers the caller pays or receives, oldest first; ?payerRef= finds one by the payer reference',
      querystring: TransferQuery,
      response: { 200: ListOf(TransferSchema), ...problemResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const page = pageOf(request.query);
      const rows = await service.listTransfers(ctx.db.kysely, {
        ...page,
        payerRef: request.query.payerRef,
        participantId: caller.type === 'operator' ? undefined : caller.id,
      });
      return toPage(rows.map(transferJson), page, (row) => row.id);
    },
  });
}
