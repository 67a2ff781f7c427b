import { type Secret, invariant } from '../platform/index.ts';
import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import type { RouteWiring } from '../capability.ts';
import type { BridgeProvider } from '../payments/index.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  Problem,
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
} from '../http/index.ts';
import { attemptQrSvg, createAttempt, readAttempt, readShare } from './attempts.ts';
import { type Checkout, expiresInSecondsMax, expiresInSecondsMin, linesMax } from './model.ts';
import * as service from './service.ts';

const Line = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('product'),
      Type.Literal('shipping'),
      Type.Literal('discount'),
      Type.Literal('tax'),
    ]),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitAmount: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);

const NewCheckout = Type.Object(
  {
    amount: PositiveMinorUnits,
    currency: CurrencyCode,
    reference: Type.String({ minLength: 1, maxLength: 64 }),
    buyerId: Type.String({ minLength: 1, maxLength: 128 }),
    lines: Type.Optional(Type.Array(Line, { maxItems: linesMax })),
    returnUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: expiresInSecondsMin, maximum: expiresInSecondsMax })),
  },
  { additionalProperties: false, ...amountBoundTo() },
);

const Method = Type.Object({
  walletId: Type.String(),
  name: Type.String(),
  placement: Type.String(),
  flows: Type.Array(Type.String()),
});

const checkoutFields = {
  id: Type.String(),
  merchantId: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  reference: Type.String(),
  buyerId: Type.String(),
  lines: Type.Array(Line),
  returnUrl: Type.Union([Type.String(), Type.Null()]),
  methods: Type.Array(Method),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  paidAt: NullableTimestamp,
  expiredAt: NullableTimestamp,
  canceledAt: NullableTimestamp,
  transferId: Type.Union([Type.String(), Type.Null()]),
  paidWalletId: Type.Union([Type.String(), Type.Null()]),
};
const CheckoutSchema = Type.Object(checkoutFields, { $id: 'Checkout' });
const CreatedCheckoutSchema = Type.Object({
  ...checkoutFields,
  clientSecret: Type.String({ description: "the buyer's bearer token; shown this once" }),
  hostedUrl: Type.String({ description: 'the hosted checkout page, carrying the client secret in its fragment' }),
});

const Flow = Type.Union([Type.Literal('app_switch'), Type.Literal('qr'), Type.Literal('friend_pay')]);
const NewAttempt = Type.Object(
  { walletId: Type.String({ minLength: 1, maxLength: 64 }), flow: Flow },
  { additionalProperties: false },
);
const AttemptSchema = Type.Object({
  id: Type.String(),
  checkoutId: Type.String(),
  walletId: Type.String(),
  flow: Type.String(),
  deepLink: Type.Optional(Type.String()),
  qrPayload: Type.Optional(Type.String()),
  qrImageUrl: Type.Optional(Type.String()),
  shareUrl: Type.Optional(Type.String()),
  expiresAt: Timestamp,
  createdAt: Timestamp,
});
const StatusSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  paidAt: NullableTimestamp,
  expiresAt: Timestamp,
  returnUrl: Type.Union([Type.String(), Type.Null()]),
});
const ShareSchema = Type.Object({
  merchant: Type.Object({ name: Type.String(), city: Type.String() }),
  lines: Type.Array(Line),
  amount: Type.Integer(),
  currency: Type.String(),
  status: Type.String(),
  expiresAt: Timestamp,
  wallets: Type.Array(
    Type.Object({
      walletId: Type.String(),
      name: Type.String(),
      qrPayload: Type.String(),
      qrSvg: Type.String(),
      deepLink: Type.Optional(Type.String()),
    }),
  ),
});

const tags = ['checkout'];

/** The answer to a checkout's creation: the only time its client secret is shown. */
function createdCheckoutJson(ctx: HubContext, checkout: Checkout, clientSecret: Secret) {
  return {
    ...checkout,
    clientSecret: clientSecret.reveal(),
    hostedUrl: `${ctx.config.publicUrl}/checkout/${checkout.id}#cs=${clientSecret.reveal()}`,
  };
}

/** A lost answer to a checkout's creation, rebuilt from it and the client secret its key kept sealed. */
const replayCreatedCheckout = (ctx: HubContext) =>
  replayAs(201, async (id, request, clientSecret) => {
    const checkout = await service.readCheckout(ctx, id);
    invariant(clientSecret !== undefined, `checkout ${id}'s answer keeps its client secret`);
    const visible = checkout && service.canSeeCheckout(callerOf(request), checkout);
    return visible ? createdCheckoutJson(ctx, checkout, clientSecret) : undefined;
  });

export function checkoutRoutes(app: App, ctx: HubContext, wiring: RouteWiring): void {
  app.addSchema(CheckoutSchema);
  const checkoutRef = Type.Unsafe<Static<typeof CheckoutSchema>>({ $ref: 'Checkout#' });
  const seers = { auth: ['merchant', 'buyer'] } as const;

  async function visibleCheckout(
    request: { params: { id: string } } & Parameters<typeof callerOf>[0],
  ): Promise<Checkout> {
    const checkout = await service.readCheckout(ctx, request.params.id);
    if (!checkout || !service.canSeeCheckout(callerOf(request), checkout))
      throw notFound(`checkout ${request.params.id}`);
    return checkout;
  }

  app.post('/v1/checkouts', {
    config: { auth: ['merchant'], idempotent: replayCreatedCheckout(ctx), secretAnswer: true },
    schema: {
      tags,
      summary: 'Create a checkout; the hub decides and stores its methods',
      body: NewCheckout,
      response: { 201: CreatedCheckoutSchema, ...problemResponses },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      if (caller.type !== 'merchant') throw new Problem('forbidden', 'merchants create checkouts');
      const { checkout, clientSecret } = valueOrThrow(await service.createCheckout(ctx, caller, request.body));
      return reply.code(201).send(createdCheckoutJson(ctx, checkout, clientSecret));
    },
  });

  app.get('/v1/checkouts', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      querystring: Type.Intersect([ListQuery, Type.Object({ status: Type.Optional(Type.String()) })]),
      response: { 200: ListOf(checkoutRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await service.listCheckouts(ctx.db.kysely, {
        ...page,
        merchantId: callerOf(request).id,
        status: request.query.status,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get('/v1/checkouts/:id', {
    config: seers,
    schema: { tags, params: IdParams, response: { 200: checkoutRef, ...problemResponses } },
    handler: async (request) => visibleCheckout(request),
  });

  app.get('/v1/checkouts/:id/status', {
    config: seers,
    schema: {
      tags,
      summary: 'What the hosted page polls',
      params: IdParams,
      response: { 200: StatusSchema, ...problemResponses },
    },
    handler: async (request) => {
      const checkout = await visibleCheckout(request);
      return {
        id: checkout.id,
        status: checkout.status,
        paidAt: checkout.paidAt,
        expiresAt: checkout.expiresAt,
        returnUrl: checkout.returnUrl,
      };
    },
  });

  app.post('/v1/checkouts/:id/cancel', {
    config: { auth: ['merchant'] },
    schema: { tags, params: IdParams, response: { 200: checkoutRef, ...problemResponses } },
    handler: async (request) => valueOrThrow(await service.cancelCheckout(ctx, callerOf(request), request.params.id)),
  });

  attemptRoutes(app, ctx, wiring.bridgeProviders);
}

/** Paying a checkout: attempts, the QR's picture and the friend-pay share link. */
function attemptRoutes(app: App, ctx: HubContext, bridges: readonly BridgeProvider[]): void {
  app.post('/v1/checkouts/:id/attempts', {
    config: {
      auth: ['buyer'],
      idempotent: replayAs(201, (id, request) => readAttempt(ctx, callerOf(request), id, bridges)),
    },
    schema: {
      tags,
      summary: 'Start paying with one offered method and flow',
      params: IdParams,
      body: NewAttempt,
      response: { 201: AttemptSchema, ...problemResponses },
    },
    handler: async (request, reply) => {
      const attempt = valueOrThrow(
        await createAttempt(ctx, callerOf(request), request.params.id, request.body, bridges, request.ip),
      );
      return reply.code(201).send(attempt);
    },
  });

  app.get('/v1/checkouts/:id/attempts/:attemptId/qr.svg', {
    config: { auth: ['merchant', 'buyer'] },
    schema: {
      tags,
      summary: "The picture of a QR attempt's code (SVG), drawn on its own request",
      params: Type.Object({ id: Type.String(), attemptId: Type.String() }),
      response: { 200: Type.String(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const { id, attemptId } = request.params;
      const svg = await attemptQrSvg(ctx, callerOf(request), id, attemptId, bridges);
      if (svg === undefined) throw notFound('QR attempt');
      // The picture of one attempt never changes; only whoever holds the client secret asked for it.
      return reply.header('content-type', 'image/svg+xml').header('cache-control', 'private, max-age=3600').send(svg);
    },
  });

  app.get('/v1/share/:token', {
    schema: {
      tags,
      summary: 'The public view of a friend-pay share link',
      params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: ShareSchema, ...problemResponses },
    },
    handler: async (request) => {
      const shared = await readShare(ctx, request.params.token);
      if (!shared) throw notFound('share link');
      return shared;
    },
  });
}
