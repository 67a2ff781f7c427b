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
  TextLine,
} from '../http/index.ts';
import { merchantCityCharsMax, merchantNameCharsMax, type Merchant } from './model.ts';
import * as service from './service.ts';

const Name = TextLine(merchantNameCharsMax, 'in any script; what placards print, and what QR codes carry in tag 64');
const City = TextLine(merchantCityCharsMax, 'in any script');
const latinText = (charsMax: number, what: string) =>
  Type.String({
    minLength: 1,
    maxLength: charsMax,
    pattern: '^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$',
    description: `printable ASCII: the ${what} QR codes carry for every wallet; default: transliterated`,
  });
const NameLatin = latinText(merchantNameCharsMax, 'name (EMV tag 59)');
const CityLatin = latinText(merchantCityCharsMax, 'city (EMV tag 60)');
const Language = Type.String({
  pattern: '^[a-z]{2}$',
  description: 'ISO 639-1 language of name and city (EMV 64/00); default: from their script or the country',
});
const Mcc = Type.String({ pattern: '^[0-9]{4}$' });

const NewMerchant = Type.Object(
  {
    name: Name,
    mcc: Mcc,
    city: City,
    country: CountryCode,
    currency: CurrencyCode,
    acquirerId: Type.Optional(Type.String()),
    nameLatin: Type.Optional(NameLatin),
    cityLatin: Type.Optional(CityLatin),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
const MerchantPatch = Type.Object(
  {
    name: Type.Optional(Name),
    city: Type.Optional(City),
    mcc: Type.Optional(Mcc),
    nameLatin: Type.Optional(Type.Union([NameLatin, Type.Null()])),
    cityLatin: Type.Optional(Type.Union([CityLatin, Type.Null()])),
    language: Type.Optional(Type.Union([Language, Type.Null()])),
  },
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
  nameLatin: Type.String({ description: 'what QR codes carry in tag 59' }),
  cityLatin: Type.String({ description: 'what QR codes carry in tag 60' }),
  language: Type.Union([Type.String(), Type.Null()], {
    description: 'the language of name and city in tag 64; null when they are already Latin',
  }),
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
