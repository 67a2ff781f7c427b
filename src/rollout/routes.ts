import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  PositiveMinorUnits,
  amountBoundTo,
  Timestamp,
  problemResponses,
} from '../http/index.ts';
import { readFunnel } from './funnel.ts';
import {
  buyerListItemsMax,
  categoryListItemsMax,
  methodOrderWalletsMax,
  methodRefusalReasons,
  primaryWalletsMax,
  rolloutRulesMax,
  saltCharsMax,
  skuListItemsMax,
} from './model.ts';
import * as service from './service.ts';

const WalletId = Type.String({ minLength: 1, maxLength: 64 });
const BuyerId = Type.String({ minLength: 1, maxLength: 128 });
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const Category = Type.String({ minLength: 1, maxLength: 64 });
const RuleAmount = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "minor units of the merchant's currency",
});

const ruleFields = {
  walletId: WalletId,
  enabled: Type.Boolean({ description: 'false: the wallet is offered to nobody' }),
  percent: Type.Number({
    minimum: 0,
    maximum: 100,
    description:
      'the share of buyers offered the wallet, at most two decimals. A buyer is offered when its bucket, ' +
      'the first 8 bytes of SHA-256 of the JSON array ["lintas.rollout.bucket.v1", walletId, buyerId, salt or ""] ' +
      'as an unsigned big-endian integer modulo 10000, is below percent × 100',
  }),
  salt: Type.Optional(
    Type.String({ minLength: 1, maxLength: saltCharsMax, description: "a new salt draws every buyer's bucket anew" }),
  ),
  buyerAllowList: Type.Optional(
    Type.Array(BuyerId, {
      maxItems: buyerListItemsMax,
      uniqueItems: true,
      description: 'buyers offered whatever the percentage',
    }),
  ),
  buyerDenyList: Type.Optional(
    Type.Array(BuyerId, { maxItems: buyerListItemsMax, uniqueItems: true, description: 'buyers never offered' }),
  ),
  skuAllowList: Type.Optional(
    Type.Array(Sku, {
      maxItems: skuListItemsMax,
      uniqueItems: true,
      description: 'every product line must have one of these SKUs',
    }),
  ),
  categoryAllowList: Type.Optional(
    Type.Array(Category, {
      maxItems: categoryListItemsMax,
      uniqueItems: true,
      description: 'every product line must be in one of these categories',
    }),
  ),
  minAmount: Type.Optional(RuleAmount),
  maxAmount: Type.Optional(RuleAmount),
  startsAt: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
  endsAt: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
};
const RuleBody = Type.Object(ruleFields, { additionalProperties: false });
const RuleSchema = Type.Object(ruleFields, { $id: 'RolloutRule' });
const StoredRuleSchema = Type.Object(
  { id: Type.String(), merchantId: Type.String(), ...ruleFields, createdAt: Timestamp, updatedAt: Timestamp },
  { $id: 'StoredRolloutRule' },
);

const SettingsBody = Type.Object(
  {
    defaultWalletId: Type.Optional(
      Type.Union([WalletId, Type.Null()], {
        description: "absent or null: the merchant's own acquirer, when it is a wallet",
      }),
    ),
    primaryWalletIds: Type.Optional(Type.Array(WalletId, { maxItems: primaryWalletsMax, uniqueItems: true })),
    methodOrder: Type.Optional(Type.Array(WalletId, { maxItems: methodOrderWalletsMax, uniqueItems: true })),
    rollout: Type.Optional(
      Type.Array(RuleBody, {
        maxItems: rolloutRulesMax,
        description:
          'one rule per wallet; absent: the rules stay as they are; [] removes them all. A wallet without a rule ' +
          'is offered to every buyer',
      }),
    ),
  },
  { additionalProperties: false },
);
const SettingsSchema = Type.Object(
  {
    merchantId: Type.String(),
    defaultWalletId: Type.Union([Type.String(), Type.Null()]),
    primaryWalletIds: Type.Array(Type.String()),
    methodOrder: Type.Array(Type.String()),
    rollout: Type.Array(Type.Unsafe<Static<typeof RuleSchema>>({ $ref: 'RolloutRule#' })),
    createdAt: NullableTimestamp,
    updatedAt: NullableTimestamp,
  },
  { $id: 'CheckoutSettings' },
);

const DecisionSchema = Type.Object(
  {
    walletId: Type.String(),
    offered: Type.Boolean(),
    reason: Type.Optional(
      Type.Union(
        methodRefusalReasons.map((reason) => Type.Literal(reason)),
        { description: 'when not offered: the first reason that applies, in this order' },
      ),
    ),
    detail: Type.Optional(
      Type.Unknown({ description: 'the facts that refused it, such as sku, or bucket and threshold (basis points)' }),
    ),
  },
  { $id: 'MethodDecision' },
);
const Explanation = Type.Object({
  data: Type.Array(Type.Unsafe<Static<typeof DecisionSchema>>({ $ref: 'MethodDecision#' })),
});

const Line = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('product'),
      Type.Literal('shipping'),
      Type.Literal('discount'),
      Type.Literal('tax'),
    ]),
    sku: Type.Optional(Sku),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    category: Type.Optional(Category),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitAmount: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
const dryRunLinesMax = 100;
const DryRunBody = Type.Object(
  {
    buyerId: BuyerId,
    amount: PositiveMinorUnits,
    currency: CurrencyCode,
    lines: Type.Optional(Type.Array(Line, { maxItems: dryRunLinesMax })),
  },
  { additionalProperties: false, ...amountBoundTo() },
);

const FunnelQuery = Type.Object({
  from: Type.Optional(
    Type.String({ format: 'date', description: 'first UTC day, included; default: six days before to' }),
  ),
  to: Type.Optional(Type.String({ format: 'date', description: 'last UTC day, included; default: today' })),
  walletId: Type.Optional(WalletId),
  merchantId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'required for a wallet; a merchant reads its own' }),
  ),
});
const FunnelSchema = Type.Object({
  data: Type.Array(
    Type.Object({
      walletId: Type.String(),
      date: Type.String({ format: 'date' }),
      offered: Type.Integer({ description: 'checkouts created that day that offered the wallet' }),
      attempted: Type.Integer({
        description: 'of those, the ones on which the buyer started at least one attempt with the wallet',
      }),
      paid: Type.Integer({ description: 'of those, the ones paid with the wallet' }),
    }),
  ),
});
const RulesQuery = Type.Intersect([
  ListQuery,
  Type.Object({ merchantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
]);

const tags = ['rollout'];
const path = '/v1/checkout-settings';

export function checkoutSettingsRoutes(app: App, ctx: HubContext): void {
  app.addSchema(RuleSchema);
  app.addSchema(SettingsSchema);
  const settingsRef = Type.Unsafe<service.SettingsView>({ $ref: 'CheckoutSettings#' });

  app.get(path, {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: "How the merchant's checkouts rank their wallets, and which buyers and orders see each",
      response: { 200: settingsRef, ...problemResponses },
    },
    handler: async (request) => service.readSettings(ctx.db.kysely, callerOf(request).id),
  });

  app.put(path, {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary:
        'Replace the ranking (the default wallet, the primary ones, the order within each group) and, when given, ' +
        'the rollout rules',
      body: SettingsBody,
      response: { 200: settingsRef, ...problemResponses },
    },
    handler: async (request) => valueOrThrow(await service.putSettings(ctx, callerOf(request), request.body)),
  });
}

/** Why a wallet is or is not offered, the funnel, and the wallet's view of the rules set for it. */
export function rolloutRoutes(app: App, ctx: HubContext): void {
  app.addSchema(DecisionSchema);
  app.addSchema(StoredRuleSchema);
  const storedRuleRef = Type.Unsafe<Static<typeof StoredRuleSchema>>({ $ref: 'StoredRolloutRule#' });

  app.get('/v1/checkouts/:id/methods/explain', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary:
        'For every wallet of the directory, whether this checkout offered it and why not: the decision stored at ' +
        'creation',
      params: IdParams,
      response: { 200: Explanation, ...problemResponses },
    },
    handler: async (request) => ({
      data: valueOrThrow(await service.explainCheckout(ctx.db.kysely, callerOf(request), request.params.id)),
    }),
  });

  app.post('/v1/rollout/explain', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: 'A dry run: what a checkout created now for this buyer and order would offer, and why not the rest',
      body: DryRunBody,
      response: { 200: Explanation, ...problemResponses },
    },
    handler: async (request) => {
      return { data: await service.explainDryRun(ctx, callerOf(request), request.body) };
    },
  });

  app.get('/v1/rollout/stats', {
    config: { auth: ['merchant', 'participant'] },
    schema: {
      tags,
      summary: 'The funnel per wallet and UTC day of checkout creation: offered, attempted, paid',
      querystring: FunnelQuery,
      response: { 200: FunnelSchema, ...problemResponses },
    },
    handler: async (request) => ({ data: valueOrThrow(await readFunnel(ctx, callerOf(request), request.query)) }),
  });

  app.get('/v1/rollout/rules', {
    config: { auth: ['merchant', 'participant'] },
    schema: {
      tags,
      summary: 'A wallet reads the rules merchants set for it; a merchant reads its own',
      querystring: RulesQuery,
      response: { 200: ListOf(storedRuleRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rules = valueOrThrow(
        await service.listRules(ctx.db.kysely, callerOf(request), { ...page, merchantId: request.query.merchantId }),
      );
      return toPage(rules, page, (rule) => rule.id);
    },
  });
}
