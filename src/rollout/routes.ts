import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { type App, valueOrThrow } from '../http/app-types.ts';
import { callerOf } from '../http/auth.ts';
import { NullableTimestamp, problemResponses } from '../http/schemas.ts';
import { methodOrderWalletsMax, primaryWalletsMax } from './model.ts';
import * as service from './service.ts';

const WalletId = Type.String({ minLength: 1, maxLength: 64 });
const SettingsBody = Type.Object(
  {
    defaultWalletId: Type.Optional(Type.Union([WalletId, Type.Null()], { description: "absent or null: the merchant's own acquirer, when it is a wallet" })),
    primaryWalletIds: Type.Optional(Type.Array(WalletId, { maxItems: primaryWalletsMax, uniqueItems: true })),
    methodOrder: Type.Optional(Type.Array(WalletId, { maxItems: methodOrderWalletsMax, uniqueItems: true })),
  },
  { additionalProperties: false },
);
const SettingsSchema = Type.Object(
  {
    merchantId: Type.String(),
    defaultWalletId: Type.Union([Type.String(), Type.Null()]),
    primaryWalletIds: Type.Array(Type.String()),
    methodOrder: Type.Array(Type.String()),
    createdAt: NullableTimestamp,
    updatedAt: NullableTimestamp,
  },
  { $id: 'CheckoutSettings' },
);
const tags = ['rollout'];
const path = '/v1/checkout-settings';

export function checkoutSettingsRoutes(app: App, ctx: HubContext): void {
  app.addSchema(SettingsSchema);
  const settingsRef = Type.Unsafe<service.SettingsView>({ $ref: 'CheckoutSettings#' });

  app.get(path, {
    config: { auth: ['merchant'] },
    schema: { tags, summary: "How the merchant's checkouts rank their wallets", response: { 200: settingsRef, ...problemResponses } },
    handler: async (request) => service.readSettings(ctx.db.kysely, callerOf(request).id),
  });

  app.put(path, {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: 'Replace the ranking: the default wallet, the primary ones, and the order within each group',
      body: SettingsBody,
      response: { 200: settingsRef, ...problemResponses },
    },
    handler: async (request) => valueOrThrow(await service.putSettings(ctx, callerOf(request), request.body)),
  });
}
