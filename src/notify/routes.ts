import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  invalidRequest,
  notFound,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  Timestamp,
  problemResponses,
  replayShowingOnce,
} from '../http/index.ts';
import type { ProblemCodes } from '../capability.ts';
import * as endpoints from './endpoints.ts';
import {
  type Delivery,
  type DeliveryKind,
  allEventTypes,
  decodeCursor,
  documentedEventTypes,
  endpointEventsMax,
  endpointUrlCharsMax,
  eventTypeCharsMax,
  feedStart,
  feedTypesMax,
  isEventType,
} from './model.ts';
import * as service from './service.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const notifyProblemCodes: ProblemCodes = {
  endpoint_limit_reached: [422, 'The merchant has as many webhook endpoints as it may'],
};

const EventTypeOrAll = Type.String({
  maxLength: eventTypeCharsMax,
  pattern: '^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+)$',
  description: `an event type (${documentedEventTypes.join(', ')}, ...) or "${allEventTypes}" for every type`,
});
const EndpointUrl = Type.String({ minLength: 8, maxLength: endpointUrlCharsMax, pattern: '^https?://' });
const EndpointEvents = Type.Array(EventTypeOrAll, { minItems: 1, maxItems: endpointEventsMax });

const NewEndpoint = Type.Object(
  { url: EndpointUrl, events: EndpointEvents, enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const EndpointPatch = Type.Object(
  { url: Type.Optional(EndpointUrl), events: Type.Optional(EndpointEvents), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

const endpointFields = {
  id: Type.String(),
  merchantId: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  disabledReason: Type.Union([Type.Literal('gone'), Type.Literal('requested'), Type.Null()], {
    description: 'gone: the endpoint answered 410',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  disabledAt: NullableTimestamp,
  secretRotatedAt: NullableTimestamp,
  previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()], {
    description: 'until then the replaced secret signs too',
  }),
};
const EndpointSchema = Type.Object(endpointFields, { $id: 'WebhookEndpoint' });
const EndpointWithSecret = Type.Object({
  ...endpointFields,
  secret: Type.String({ description: 'whsec_...: shown this once; stored sealed' }),
});

const deliveryFields = {
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: NullableTimestamp,
  lastAttemptAt: NullableTimestamp,
  lastResponseStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  deliveredAt: NullableTimestamp,
  failedAt: NullableTimestamp,
};
const WebhookDeliverySchema = Type.Object({ ...deliveryFields, endpointId: Type.String() }, { $id: 'WebhookDelivery' });
const CallbackDeliverySchema = Type.Object(
  { ...deliveryFields, participantId: Type.String() },
  { $id: 'CallbackDelivery' },
);
const DeliveryQuery = Type.Intersect([
  ListQuery,
  Type.Object({
    eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
  }),
]);

const HubEventSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    createdAt: Timestamp,
    data: Type.Unknown({ description: 'the object as it was when the event was written' }),
  },
  { $id: 'HubEvent' },
);
const FeedQuery = Type.Intersect([
  ListQuery,
  Type.Object({
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: feedTypesMax * (eventTypeCharsMax + 1),
        description: 'comma-separated event types',
      }),
    ),
  }),
]);
const FeedPage = Type.Object({
  data: Type.Array(Type.Unsafe<Static<typeof HubEventSchema>>({ $ref: 'HubEvent#' })),
  nextCursor: Type.String({ description: 'always set: pass it as `after` to read what comes next' }),
});

function parseTypes(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const types = [...new Set(text.split(','))];
  const errors = types
    .filter((type) => !isEventType(type))
    .map((type) => ({ pointer: '/query/types', detail: `${JSON.stringify(type)} is not an event type` }));
  if (types.length > feedTypesMax)
    errors.push({ pointer: '/query/types', detail: `lists more than ${feedTypesMax} types` });
  if (errors.length > 0) throw invalidRequest(errors);
  return types;
}

function parseAfter(cursor: string | undefined) {
  if (cursor === undefined) return feedStart;
  const position = decodeCursor(cursor);
  if (!position) throw invalidRequest([{ pointer: '/query/after', detail: 'is not a cursor this feed gave' }]);
  return position;
}

export function notifyRoutes(app: App, ctx: HubContext): void {
  app.addSchema(EndpointSchema);
  app.addSchema(HubEventSchema);
  app.addSchema(WebhookDeliverySchema);
  app.addSchema(CallbackDeliverySchema);
  endpointRoutes(app, ctx);
  deliveryRoutes(app, ctx, 'webhook', '/v1/webhook-deliveries', ['merchant', 'operator'], 'WebhookDelivery#');
  deliveryRoutes(app, ctx, 'callback', '/v1/callback-deliveries', ['participant', 'operator'], 'CallbackDelivery#');
  feedRoutes(app, ctx);
}

/** A lost answer that showed an endpoint's signing secret, rebuilt with the secret its key kept sealed. */
const replayWithSecret = (ctx: HubContext, status: number) =>
  replayShowingOnce(status, 'secret', (id, request) => endpoints.findEndpointOf(ctx.db.kysely, callerOf(request), id));

function endpointRoutes(app: App, ctx: HubContext): void {
  const tags = ['webhooks'];
  const merchantOnly = { auth: ['merchant'] } as const;
  const endpointRef = Type.Unsafe<Static<typeof EndpointSchema>>({ $ref: 'WebhookEndpoint#' });
  const oneEndpoint = { 200: endpointRef, ...problemResponses };
  const revealed = (endpoint: endpoints.WebhookEndpointWithSecret) => ({
    ...endpoint,
    secret: endpoint.secret.reveal(),
  });

  app.post('/v1/webhook-endpoints', {
    config: { ...merchantOnly, idempotent: replayWithSecret(ctx, 201), secretAnswer: true },
    schema: {
      tags,
      summary: 'Register a webhook endpoint; its signing secret is shown this once',
      body: NewEndpoint,
      response: { 201: EndpointWithSecret, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply
        .code(201)
        .send(revealed(valueOrThrow(await endpoints.createEndpoint(ctx, callerOf(request), request.body)))),
  });

  app.get('/v1/webhook-endpoints', {
    config: merchantOnly,
    schema: { tags, querystring: ListQuery, response: { 200: ListOf(endpointRef), ...problemResponses } },
    handler: async (request) => {
      const page = pageOf(request.query);
      return toPage(
        await endpoints.listEndpointsOf(ctx.db.kysely, callerOf(request), page),
        page,
        (endpoint) => endpoint.id,
      );
    },
  });

  app.get('/v1/webhook-endpoints/:id', {
    config: merchantOnly,
    schema: { tags, params: IdParams, response: oneEndpoint },
    handler: async (request) => {
      const endpoint = await endpoints.findEndpointOf(ctx.db.kysely, callerOf(request), request.params.id);
      if (!endpoint) throw notFound(`webhook endpoint ${request.params.id}`);
      return endpoint;
    },
  });

  app.patch('/v1/webhook-endpoints/:id', {
    config: merchantOnly,
    schema: {
      tags,
      summary: 'Change the URL or the events, or enable or disable',
      params: IdParams,
      body: EndpointPatch,
      response: oneEndpoint,
    },
    handler: async (request) =>
      valueOrThrow(await endpoints.updateEndpoint(ctx, callerOf(request), request.params.id, request.body)),
  });

  app.delete('/v1/webhook-endpoints/:id', {
    config: merchantOnly,
    schema: { tags, params: IdParams, response: { 204: Type.Null(), ...problemResponses } },
    handler: async (request, reply) => {
      valueOrThrow(await endpoints.deleteEndpoint(ctx, callerOf(request), request.params.id));
      return reply.code(204).send(null);
    },
  });

  app.post('/v1/webhook-endpoints/:id/rotate-secret', {
    config: { ...merchantOnly, idempotent: replayWithSecret(ctx, 200), secretAnswer: true },
    schema: {
      tags,
      summary: 'Make a new signing secret, shown this once; the old one also signs for 24 hours',
      params: IdParams,
      response: { 200: EndpointWithSecret, ...problemResponses },
    },
    handler: async (request) =>
      revealed(valueOrThrow(await endpoints.rotateEndpointSecret(ctx, callerOf(request), request.params.id))),
  });
}

function deliveryRoutes(
  app: App,
  ctx: HubContext,
  kind: DeliveryKind,
  path: string,
  auth: readonly ('merchant' | 'participant' | 'operator')[],
  ref: string,
): void {
  const tags = [kind === 'webhook' ? 'webhooks' : 'callbacks'];
  const deliveryRef = Type.Unsafe<Delivery>({ $ref: ref });

  app.get(path, {
    config: { auth },
    schema: {
      tags,
      summary: `${kind} deliveries, oldest first`,
      querystring: DeliveryQuery,
      response: { 200: ListOf(deliveryRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await service.listDeliveries(ctx.db.kysely, callerOf(request), kind, {
        ...page,
        eventId: request.query.eventId,
        status: request.query.status,
      });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get(`${path}/:id`, {
    config: { auth },
    schema: { tags, params: IdParams, response: { 200: deliveryRef, ...problemResponses } },
    handler: async (request) => {
      const delivery = await service.findDelivery(ctx.db.kysely, callerOf(request), kind, request.params.id);
      if (!delivery) throw notFound(`delivery ${request.params.id}`);
      return delivery;
    },
  });

  app.post(`${path}/:id/retry`, {
    config: { auth },
    schema: {
      tags,
      summary: 'Attempt this delivery again now',
      params: IdParams,
      response: { 202: deliveryRef, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(202).send(valueOrThrow(await service.retryDelivery(ctx, callerOf(request), kind, request.params.id))),
  });
}

function feedRoutes(app: App, ctx: HubContext): void {
  const tags = ['events'];
  const auth = ['merchant', 'participant', 'operator'] as const;

  app.get('/v1/events', {
    config: { auth },
    schema: {
      tags,
      summary: "The caller's events in commit order, to catch up on what a receiver missed",
      querystring: FeedQuery,
      response: { 200: FeedPage, ...problemResponses },
    },
    handler: async (request) =>
      service.readFeed(ctx.db.kysely, callerOf(request), {
        after: parseAfter(request.query.after),
        types: parseTypes(request.query.types),
        limit: pageOf(request.query).limit,
      }),
  });

  app.get('/v1/events/:id', {
    config: { auth },
    schema: {
      tags,
      params: IdParams,
      response: { 200: Type.Unsafe<Static<typeof HubEventSchema>>({ $ref: 'HubEvent#' }), ...problemResponses },
    },
    handler: async (request) => {
      const event = await service.findEventFor(ctx.db.kysely, callerOf(request), request.params.id);
      if (!event) throw notFound(`event ${request.params.id}`);
      return event;
    },
  });
}
