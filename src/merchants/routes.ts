import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  notFound,
  CountryCode,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  Timestamp,
  problemResponses,
  replayShowingOnce,
} from '../http/index.ts';
import { merchantCityCharsMax, merchantNameCharsMax, type Merchant } from './model.ts';
import * as service from './service.ts';

const Name = Type.String({ minLength: 1, maxLength: merchantNameCharsMax });
const City = Type.String({ minLength: 1, maxLength: merchantCityCharsMax });
const Mcc = Type.String({ pattern: '^[0-9]{4}$' });

const NewMerchant = Type.Object(
  {
    name: Name,
    mcc: Mcc,
    city: City,
    country: CountryCode,
    currency: CurrencyCode,
    acquirerId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const MerchantPatch = Type.Object(
  { name: Type.Optional(Name), city: Type.Optional(City), mcc: Type.Optional(Mcc) },
  { additionalProperties: false, minProperties: 1 },
);

const merchantFields = {
  id: Type.String(),
  acquirerId: Type.String(),
  name: Type.String(),
  mcc: Type.String(),
  city: Type.String(),
  country: Type.String(),
  currency: Type.String(),
  status: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  suspendedAt: NullableTimestamp,
  keyRotatedAt: NullableTimestamp,
};
const MerchantSchema = Type.Object(merchantFields, { $id: 'Merchant' });
const MerchantWithKeySchema = Type.Object({
  ...merchantFields,
  secretKey: Type.String({ description: 'shown this once; stored hashed' }),
});
const tags = ['merchants'];

function withRevealedKey(merchant: service.MerchantWithKey): Merchant & { secretKey: string } {
  return { ...merchant, secretKey: merchant.secretKey.reveal() };
}

/** A lost answer that showed a merchant's key, rebuilt with the key its idempotency key kept sealed. */
const replayWithKey = (ctx: HubContext, status: number) =>
  replayShowingOnce(status, 'secretKey', (id) => service.findMerchant(ctx.db.kysely, id));

export function merchantRoutes(app: App, ctx: HubContext): void {
  app.addSchema(MerchantSchema);
  const merchantRef = Type.Unsafe<Static<typeof MerchantSchema>>({ $ref: 'Merchant#' });
  const managers = { auth: ['operator', 'participant'] } as const;
  const oneMerchant = { 200: merchantRef, ...problemResponses };

  app.post('/v1/merchants', {
    config: { ...managers, idempotent: replayWithKey(ctx, 201), secretAnswer: true },
    schema: {
      tags,
      summary: 'Create a merchant; its secret key is shown this once',
      body: NewMerchant,
      response: { 201: MerchantWithKeySchema, ...problemResponses },
    },
    handler: async (request, reply) => {
      const created = valueOrThrow(await service.createMerchant(ctx, callerOf(request), request.body));
      return reply.code(201).send(withRevealedKey(created));
    },
  });

  app.get('/v1/merchants', {
    config: managers,
    schema: { tags, querystring: ListQuery, response: { 200: ListOf(merchantRef), ...problemResponses } },
    handler: async (request) => {
      const caller = callerOf(request);
      const page = pageOf(request.query);
      const rows = await service.listMerchants(ctx.db.kysely, {
        ...page,
        acquirerId: caller.type === 'operator' ? undefined : caller.id,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get('/v1/merchants/:id', {
    config: managers,
    schema: { tags, params: IdParams, response: oneMerchant },
    handler: async (request) => {
      const merchant = await service.findMerchant(ctx.db.kysely, request.params.id);
      if (!merchant || !service.canManageMerchant(callerOf(request), merchant))
        throw notFound(`merchant ${request.params.id}`);
      return merchant;
    },
  });

  app.patch('/v1/merchants/:id', {
    config: managers,
    schema: { tags, params: IdParams, body: MerchantPatch, response: oneMerchant },
    handler: async (request) =>
      valueOrThrow(await service.updateMerchantDetails(ctx, callerOf(request), request.params.id, request.body)),
  });

  for (const event of ['suspend', 'reinstate'] as const) {
    app.post(`/v1/merchants/:id/${event}`, {
      config: managers,
      schema: { tags, params: IdParams, response: oneMerchant },
      handler: async (request) =>
        valueOrThrow(await service.changeMerchantStatus(ctx, callerOf(request), request.params.id, event)),
    });
  }

  app.post('/v1/merchants/:id/rotate-key', {
    config: { ...managers, idempotent: replayWithKey(ctx, 200), secretAnswer: true },
    schema: {
      tags,
      summary: 'Replace the merchant key; the old one stops working at once',
      params: IdParams,
      response: { 200: MerchantWithKeySchema, ...problemResponses },
    },
    handler: async (request) =>
      withRevealedKey(valueOrThrow(await service.rotateMerchantKey(ctx, callerOf(request), request.params.id))),
  });

  app.get('/v1/merchant', {
    config: { auth: ['merchant'] },
    schema: { tags, summary: 'The calling merchant', response: oneMerchant },
    handler: async (request) => {
      const merchant = await service.findMerchant(ctx.db.kysely, callerOf(request).id);
      if (!merchant) throw notFound('merchant');
      return merchant;
    },
  });
}
