import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { type App, IdParams, callerOf, problemResponses, valueOrThrow } from '../http/index.ts';
import { proveCredentials } from './credentials.ts';
import { takeWechatNotification } from './notifications.ts';
import { carryOutRefund } from './refunds.ts';
import { wechatKind } from './orders.ts';

const tags = ['bridges'];
const Text = (charsMax: number) => Type.String({ minLength: 1, maxLength: charsMax });

/** A merchant's own account at WeChat Pay: never answered back, never logged, stored sealed. */
const WechatCredentials = Type.Object(
  {
    mchid: Type.String({ pattern: '^[0-9]{6,32}$', description: "the merchant's WeChat Pay merchant id" }),
    appid: Type.String({ pattern: '^[A-Za-z0-9_]{6,32}$', description: 'the app id bound to the merchant id' }),
    serialNo: Type.String({
      pattern: '^[A-Fa-f0-9]{8,64}$',
      description: "the serial of the merchant's API certificate",
    }),
    privateKeyPem: Text(8192),
    apiV3Key: Type.String({ minLength: 32, maxLength: 32, description: 'the 32-byte APIv3 key' }),
  },
  { additionalProperties: false },
);

export function bridgeRoutes(app: App, ctx: HubContext): void {
  app.put('/v1/channel-applications/:id/bridge-credentials', {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary:
        "Give the merchant's credentials at a bridged wallet; proved by a signed test call, then the channel is approved",
      params: IdParams,
      body: WechatCredentials,
      response: { 200: Type.Unsafe({ $ref: 'ChannelApplication#' }), ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await proveCredentials(ctx, callerOf(request), request.params.id, request.body)),
  });

  app.post(`/bridges/${wechatKind}/:id/notify`, {
    schema: {
      tags,
      summary: "WeChat Pay's notification for a channel (signed by the wallet, its resource encrypted)",
      params: IdParams,
      body: Type.Object({}, { additionalProperties: true }),
      response: { 204: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const headers = request.headers as Record<string, string | undefined>;
      valueOrThrow(
        await takeWechatNotification(ctx, request.params.id, headers, request.rawBody?.toString('utf8') ?? ''),
      );
      return reply.code(204).send(null);
    },
  });

  /** The hub's own callbacks to a bridged wallet (its `callbackUrl`): a refund to carry out at the wallet. */
  app.post(`/bridges/${wechatKind}/:id/events`, {
    schema: {
      tags,
      summary: "The hub's callbacks to a bridged wallet: refund.created is carried out at the wallet",
      params: IdParams,
      body: Type.Object(
        {
          type: Type.String(),
          data: Type.Object({ id: Type.Optional(Type.String()) }, { additionalProperties: true }),
        },
        { additionalProperties: true },
      ),
      response: { 204: Type.Null(), ...problemResponses },
    },
    handler: async (request, reply) => {
      const refundId = request.body.data.id;
      if (request.body.type === 'refund.created' && refundId !== undefined)
        valueOrThrow(await carryOutRefund(ctx, request.params.id, refundId));
      return reply.code(204).send(null);
    },
  });
}
