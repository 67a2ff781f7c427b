import { type Static, type TSchema, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  notFound,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  Timestamp,
  problemResponses,
  replayAs,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import {
  type ChannelEvent,
  type ChannelStatus,
  channelStatuses,
  noteCharsMax,
  questionCharsMax,
  reasonCharsMax,
  websiteCharsMax,
} from './model.ts';
import * as service from './service.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const channelsProblemCodes: ProblemCodes = {
  wallet_not_found: [422, 'No wallet with this id is connected to the hub'],
  not_an_issuer: [422, 'The participant is not an issuer, so it is not a wallet'],
  application_exists: [409, 'The merchant already has a live channel with this wallet'],
};

const NullableText = Type.Union([Type.String(), Type.Null()]);
const Volume = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "minor units of the merchant's currency",
});
const businessDetailFields = {
  website: Type.Optional(Type.String({ minLength: 8, maxLength: websiteCharsMax, pattern: '^https?://' })),
  expectedMonthlyVolume: Type.Optional(Volume),
  note: Type.Optional(Type.String({ minLength: 1, maxLength: noteCharsMax })),
};
const BusinessDetails = Type.Object(businessDetailFields, { additionalProperties: false });
const NewApplication = Type.Object(
  { walletId: Type.String({ minLength: 1, maxLength: 64 }), businessDetails: Type.Optional(BusinessDetails) },
  { additionalProperties: false },
);
const Answer = Type.Object(
  { businessDetails: Type.Object(businessDetailFields, { additionalProperties: false, minProperties: 1 }) },
  { additionalProperties: false },
);
const Status = Type.Unsafe<ChannelStatus>(Type.Union(channelStatuses.map((status) => Type.Literal(status))));

const ChannelSchema = Type.Object(
  {
    id: Type.String(),
    merchantId: Type.String(),
    walletId: Type.String(),
    status: Status,
    businessDetails: BusinessDetails,
    question: NullableText,
    reason: NullableText,
    merchant: Type.Object({
      name: Type.String(),
      mcc: Type.String(),
      city: Type.String(),
      country: Type.String(),
      currency: Type.String(),
    }),
    wallet: Type.Object({ name: Type.String() }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    approvedAt: NullableTimestamp,
    rejectedAt: NullableTimestamp,
    suspendedAt: NullableTimestamp,
    reinstatedAt: NullableTimestamp,
    infoRequestedAt: NullableTimestamp,
    infoProvidedAt: NullableTimestamp,
  },
  { $id: 'ChannelApplication' },
);

const ChannelQuery = Type.Intersect([
  ListQuery,
  Type.Object({
    status: Type.Optional(Status),
    walletId: Type.Optional(Type.String()),
    merchantId: Type.Optional(Type.String()),
  }),
]);
const tags = ['channels'];
const path = '/v1/channel-applications';

const Reason = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: reasonCharsMax }) },
  { additionalProperties: false },
);
const Question = Type.Object(
  { question: Type.String({ minLength: 1, maxLength: questionCharsMax }) },
  { additionalProperties: false },
);
const NoBody = Type.Object({}, { additionalProperties: false });

/** A lost answer to an application, rebuilt from it. */
const replayApplication = (ctx: HubContext) =>
  replayAs(201, (id, request) => service.findVisibleChannel(ctx.db.kysely, callerOf(request), id));

export function channelRoutes(app: App, ctx: HubContext): void {
  app.addSchema(ChannelSchema);
  const channelRef = Type.Unsafe<Static<typeof ChannelSchema>>({ $ref: 'ChannelApplication#' });
  const oneChannel = { 200: channelRef, ...problemResponses };

  app.post(path, {
    config: { auth: ['merchant'], idempotent: replayApplication(ctx) },
    schema: {
      tags,
      summary: 'Apply to a wallet for a channel (starts pending)',
      body: NewApplication,
      response: { 201: channelRef, ...problemResponses },
    },
    handler: async (request, reply) => {
      const created = valueOrThrow(await service.applyForChannel(ctx, callerOf(request), request.body));
      return reply.code(201).send(created);
    },
  });

  app.get(path, {
    config: { auth: ['operator', 'merchant', 'participant'] },
    schema: {
      tags,
      summary: "A merchant's own applications, a wallet's addressed to it, or all for the operator",
      querystring: ChannelQuery,
      response: { 200: ListOf(channelRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const { status, walletId, merchantId } = request.query;
      const rows = await service.listVisibleChannels(ctx.db.kysely, callerOf(request), {
        ...page,
        status,
        walletId,
        merchantId,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get(`${path}/:id`, {
    config: { auth: ['operator', 'merchant', 'participant'] },
    schema: { tags, params: IdParams, response: oneChannel },
    handler: async (request) => {
      const channel = await service.findVisibleChannel(ctx.db.kysely, callerOf(request), request.params.id);
      if (!channel) throw notFound(`channel application ${request.params.id}`);
      return channel;
    },
  });

  app.patch(`${path}/:id`, {
    config: { auth: ['merchant'] },
    schema: {
      tags,
      summary: "Answer the wallet's question; the application is pending again",
      params: IdParams,
      body: Answer,
      response: oneChannel,
    },
    handler: async (request) =>
      valueOrThrow(
        await service.changeChannel(ctx, callerOf(request), request.params.id, {
          type: 'provide_info',
          businessDetails: request.body.businessDetails,
        }),
      ),
  });

  /** A wallet's decision: a POST on the application whose body becomes the event. */
  function decision<B extends TSchema>(
    segment: string,
    summary: string,
    body: B,
    toEvent: (body: Static<B>) => ChannelEvent,
  ): void {
    app.post(`${path}/:id/${segment}`, {
      config: { auth: ['participant'] },
      schema: { tags, summary, params: IdParams, body, response: oneChannel },
      handler: async (request) =>
        valueOrThrow(
          await service.changeChannel(ctx, callerOf(request), request.params.id, toEvent(request.body as Static<B>)),
        ),
    });
  }
  decision('approve', 'Approve: the wallet is offered at this merchant', NoBody, () => ({ type: 'approve' }));
  decision('reject', 'Reject the application; the merchant may apply again', Reason, (body) => ({
    type: 'reject',
    reason: body.reason,
  }));
  decision('request-info', 'Ask the merchant a question; it answers with PATCH', Question, (body) => ({
    type: 'request_info',
    question: body.question,
  }));
  decision('suspend', 'Stop being offered at this merchant for now', Reason, (body) => ({
    type: 'suspend',
    reason: body.reason,
  }));
  decision('reinstate', 'Be offered at this merchant again', NoBody, () => ({ type: 'reinstate' }));
}
