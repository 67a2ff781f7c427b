import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  notFound,
  CurrencyCode,
  IdParams,
  NullableTimestamp,
  PositiveMinorUnits,
  amountBoundTo,
  Timestamp,
  problemResponses,
  replayAs,
} from '../http/index.ts';
import { foreignTemplatesMax, tillQrSecondsMax, tillQrSecondsMin } from './model.ts';
import { qrPng, qrSvg } from '../qr/index.ts';
import { placardPdf } from './render.ts';
import * as service from './service.ts';

const TemplateId = Type.String({ pattern: '^(0[2-9]|[1-4][0-9]|5[01])$', description: 'a merchant-account id, 02-51' });
const Template = Type.Object(
  { id: TemplateId, value: Type.String({ minLength: 1, maxLength: 99 }) },
  { additionalProperties: false },
);
const Templates = Type.Array(Template, { maxItems: foreignTemplatesMax });
const PlacardQuery = Type.Object({
  format: Type.Optional(
    Type.Union([Type.Literal('payload'), Type.Literal('png'), Type.Literal('svg'), Type.Literal('pdf')]),
  ),
});

const NewTillQr = Type.Object(
  {
    amount: PositiveMinorUnits,
    currency: CurrencyCode,
    reference: Type.String({ minLength: 1, maxLength: 64 }),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: tillQrSecondsMin, maximum: tillQrSecondsMax })),
  },
  { additionalProperties: false, ...amountBoundTo() },
);

const TillQrSchema = Type.Object({
  id: Type.String(),
  merchantId: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  reference: Type.String(),
  qrPayload: Type.String(),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  paidAt: NullableTimestamp,
  expiredAt: NullableTimestamp,
  canceledAt: NullableTimestamp,
  transferId: Type.Union([Type.String(), Type.Null()]),
  paidWalletId: Type.Union([Type.String(), Type.Null()]),
});

const tags = ['placards'];
const codeManagers = { auth: ['merchant', 'participant', 'operator'] } as const;

/** A lost answer to a till QR's creation, rebuilt from it. */
const replayTillQr = (ctx: HubContext) =>
  replayAs(201, (id, request) => service.readTillQr(ctx, callerOf(request), id));

export function placardRoutes(app: App, ctx: HubContext): void {
  app.put('/v1/merchants/:id/qr-templates', {
    config: codeManagers,
    schema: {
      tags,
      summary: "The merchant's templates from other schemes, carried intact on its placard",
      params: IdParams,
      body: Templates,
      response: { 200: Type.Object({ data: Templates }), ...problemResponses },
    },
    handler: async (request) => ({
      data: valueOrThrow(await service.setTemplates(ctx, callerOf(request), request.params.id, request.body)),
    }),
  });

  app.get('/v1/merchants/:id/placard', {
    config: codeManagers,
    schema: {
      tags,
      summary: 'The static placard: one code every wallet scans',
      params: IdParams,
      querystring: PlacardQuery,
    },
    handler: async (request, reply) => {
      const { merchant, payload } = valueOrThrow(
        await service.placardPayload(ctx, callerOf(request), request.params.id),
      );
      switch (request.query.format ?? 'payload') {
        case 'png':
          return reply.header('content-type', 'image/png').send(await qrPng(payload));
        case 'svg':
          return reply.header('content-type', 'image/svg+xml').send(await qrSvg(payload));
        case 'pdf':
          return reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', `inline; filename="placard-${merchant.id}.pdf"`)
            .send(await placardPdf(payload, merchant));
        case 'payload':
          return reply.send({ payload });
      }
    },
  });

  app.post('/v1/pos/qr-codes', {
    config: { auth: ['merchant'], idempotent: replayTillQr(ctx) },
    schema: {
      tags,
      summary: 'A dynamic QR for one sale at the till',
      body: NewTillQr,
      response: { 201: TillQrSchema, ...problemResponses },
    },
    handler: async (request, reply) => {
      return reply.code(201).send(valueOrThrow(await service.createTillQr(ctx, callerOf(request), request.body)));
    },
  });

  app.get('/v1/pos/qr-codes/:id', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: 'What the till polls',
      params: IdParams,
      response: { 200: TillQrSchema, ...problemResponses },
    },
    handler: async (request) => {
      const qr = await service.readTillQr(ctx, callerOf(request), request.params.id);
      if (!qr) throw notFound(`till QR ${request.params.id}`);
      return qr;
    },
  });

  app.post('/v1/pos/qr-codes/:id/cancel', {
    config: { auth: ['merchant'] },
    schema: { tags, params: IdParams, response: { 200: TillQrSchema, ...problemResponses } },
    handler: async (request) => valueOrThrow(await service.cancelTillQr(ctx, callerOf(request), request.params.id)),
  });
}
