import { type Static, Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  valueOrThrow,
  callerOf,
  pageOf,
  toPage,
  notFound,
  CurrencyCode,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  Timestamp,
  problemResponses,
  replayAs,
  rateLimitPerMinuteMax,
  LimitMinorUnits,
  TextLine,
} from '../http/index.ts';
import { bridgeKinds, flowsOf, participantRoles } from './model.ts';
import * as service from './service.ts';

const participantNameCharsMax = 100;
const KeyId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' });
const Jwk = Type.Object(
  {},
  { additionalProperties: true, description: 'Ed25519 public JWK: {kty: "OKP", crv: "Ed25519", x}' },
);
const NewKey = Type.Object({ kid: KeyId, jwk: Jwk }, { additionalProperties: false });
const HttpUrl = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });
const Prefix = Type.String({ pattern: '^[0-9]{1,10}$' });

const PlatformKey = Type.Object(
  {
    serial: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' }),
    publicKeyPem: Type.String({ minLength: 64, maxLength: 4096, description: 'RSA public key, PEM (SPKI)' }),
  },
  { additionalProperties: false },
);
const Bridge = Type.Object(
  {
    kind: Type.Union(bridgeKinds.map((kind) => Type.Literal(kind))),
    baseUrl: HttpUrl,
    platformKeys: Type.Array(PlatformKey, { minItems: 1, maxItems: 5 }),
  },
  { additionalProperties: false, description: 'a wallet reached through its own merchant API (see docs/bridges.md)' },
);

const NewParticipant = Type.Object(
  {
    name: TextLine(participantNameCharsMax),
    roles: Type.Array(Type.Union(participantRoles.map((role) => Type.Literal(role))), { minItems: 1, maxItems: 2 }),
    currencies: Type.Array(CurrencyCode, { minItems: 1, maxItems: 50 }),
    callbackUrl: Type.Optional(HttpUrl),
    publicKeys: Type.Optional(Type.Array(NewKey, { maxItems: 10 })),
    appSwitchUrlTemplate: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    paymentCodePrefixes: Type.Optional(Type.Array(Prefix, { maxItems: 20 })),
    netDebitCaps: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), LimitMinorUnits)),
    bridge: Type.Optional(Bridge),
  },
  { additionalProperties: false },
);

const ParticipantSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    roles: Type.Array(Type.String()),
    currencies: Type.Array(Type.String()),
    callbackUrl: Type.String(),
    appSwitchUrlTemplate: Type.Union([Type.String(), Type.Null()]),
    paymentCodePrefixes: Type.Array(Type.String()),
    netDebitCaps: Type.Record(Type.String(), Type.Integer()),
    publicKeys: Type.Array(
      Type.Object({
        kid: Type.String(),
        status: Type.String(),
        jwk: Jwk,
        createdAt: Timestamp,
        revokedAt: NullableTimestamp,
      }),
    ),
    bridge: Type.Union([
      Type.Object({
        kind: Type.String(),
        baseUrl: Type.String(),
        platformKeys: Type.Array(Type.Object({ serial: Type.String(), publicKeyPem: Type.String() })),
      }),
      Type.Null(),
    ]),
    status: Type.String(),
    statusReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    approvedAt: NullableTimestamp,
    rejectedAt: NullableTimestamp,
    suspendedAt: NullableTimestamp,
  },
  { $id: 'Participant' },
);

const WalletSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currencies: Type.Array(Type.String()),
  flows: Type.Array(Type.String()),
});
const Reason = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);
const NewRateLimit = Type.Object(
  {
    requestsPerMinute: Type.Union([Type.Integer({ minimum: 1, maximum: rateLimitPerMinuteMax }), Type.Null()], {
      description: "requests a minute this participant may send; null: the hub's default",
    }),
  },
  { additionalProperties: false },
);
const RateLimitSchema = Type.Object({
  participantId: Type.String(),
  requestsPerMinute: Type.Union([Type.Integer(), Type.Null()]),
  effectiveRequestsPerMinute: Type.Integer(),
});
const tags = ['participants'];

/** A lost answer about a participant, rebuilt from it. */
const replayParticipant = (ctx: HubContext) => replayAs(201, (id) => service.findParticipant(ctx.db.kysely, id));

export function participantRoutes(app: App, ctx: HubContext): void {
  app.addSchema(ParticipantSchema);
  const participantRef = Type.Unsafe<Static<typeof ParticipantSchema>>({ $ref: 'Participant#' });
  const operatorOnly = { auth: ['operator'] } as const;
  const oneParticipant = { 200: participantRef, ...problemResponses };

  app.post('/v1/participants', {
    config: { ...operatorOnly, idempotent: replayParticipant(ctx) },
    schema: {
      tags,
      summary: 'Admit a participant (starts in pending_review)',
      body: NewParticipant,
      response: { 201: participantRef, ...problemResponses },
    },
    handler: async (request, reply) => {
      const created = valueOrThrow(await service.createParticipant(ctx, callerOf(request), request.body));
      return reply.code(201).send(created);
    },
  });

  app.get('/v1/participants', {
    config: operatorOnly,
    schema: {
      tags,
      querystring: Type.Intersect([ListQuery, Type.Object({ status: Type.Optional(Type.String()) })]),
      response: { 200: ListOf(participantRef), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const rows = await service.listParticipants(ctx.db.kysely, { ...page, status: request.query.status });
      return toPage(rows, page, (row) => row.id);
    },
  });

  app.get('/v1/participants/:id', {
    config: { auth: ['operator', 'participant'] },
    schema: { tags, params: IdParams, response: oneParticipant },
    handler: async (request) => {
      const participant = service.canSeeParticipant(callerOf(request), request.params.id)
        ? await service.findParticipant(ctx.db.kysely, request.params.id)
        : undefined;
      if (!participant) throw notFound(`participant ${request.params.id}`);
      return participant;
    },
  });

  for (const event of ['approve', 'reject', 'suspend', 'reinstate'] as const) {
    app.post(`/v1/participants/:id/${event}`, {
      config: operatorOnly,
      schema: {
        tags,
        summary: `${event} a participant`,
        params: IdParams,
        body: Type.Optional(Reason),
        response: oneParticipant,
      },
      handler: async (request) =>
        valueOrThrow(
          await service.changeParticipantStatus(
            ctx,
            callerOf(request),
            request.params.id,
            event,
            request.body?.reason ?? null,
          ),
        ),
    });
  }

  app.post('/v1/participants/:id/keys', {
    config: { auth: ['operator', 'participant'], idempotent: replayParticipant(ctx) },
    schema: {
      tags,
      summary: 'Add a signing key (several may be active at once)',
      params: IdParams,
      body: NewKey,
      response: { 201: participantRef, ...problemResponses },
    },
    handler: async (request, reply) => {
      if (!service.canSeeParticipant(callerOf(request), request.params.id))
        throw notFound(`participant ${request.params.id}`);
      const updated = valueOrThrow(
        await service.addParticipantKey(ctx, callerOf(request), request.params.id, request.body),
      );
      return reply.code(201).send(updated);
    },
  });

  app.delete('/v1/participants/:id/keys/:kid', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: 'Revoke a signing key',
      params: Type.Object({ id: Type.String(), kid: KeyId }),
      response: oneParticipant,
    },
    handler: async (request) => {
      if (!service.canSeeParticipant(callerOf(request), request.params.id))
        throw notFound(`participant ${request.params.id}`);
      return valueOrThrow(
        await service.revokeParticipantKey(ctx, callerOf(request), request.params.id, request.params.kid),
      );
    },
  });

  rateLimitRoutes(app, ctx);
  walletDirectoryRoute(app, ctx);
}

/** The directory of active issuers, for everyone who calls the hub. */
function walletDirectoryRoute(app: App, ctx: HubContext): void {
  app.get('/v1/wallets', {
    config: { auth: ['operator', 'participant', 'merchant', 'buyer'] },
    schema: {
      tags,
      summary: 'The directory of active issuers',
      response: { 200: Type.Object({ data: Type.Array(WalletSchema), nextCursor: Type.Null() }), ...problemResponses },
    },
    handler: async () => {
      const issuers = await service.listActiveIssuers(ctx.db.kysely);
      return {
        data: issuers.map((issuer) => ({
          id: issuer.id,
          name: issuer.name,
          currencies: issuer.currencies,
          flows: flowsOf(issuer),
        })),
        nextCursor: null,
      };
    },
  });
}

/** The operator's rate limit for one participant. */
function rateLimitRoutes(app: App, ctx: HubContext): void {
  app.put('/v1/participants/:id/rate-limit', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: "Set a participant's own rate limit (null: the hub's default)",
      params: IdParams,
      body: NewRateLimit,
      response: { 200: RateLimitSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(
        await service.setParticipantRateLimit(
          ctx,
          callerOf(request),
          request.params.id,
          request.body.requestsPerMinute,
        ),
      ),
  });

  app.get('/v1/participants/:id/rate-limit', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: "A participant's rate limit",
      params: IdParams,
      response: { 200: RateLimitSchema, ...problemResponses },
    },
    handler: async (request) => {
      const limit = service.canSeeParticipant(callerOf(request), request.params.id)
        ? await service.findParticipantRateLimit(ctx, request.params.id)
        : undefined;
      if (!limit) throw notFound(`participant ${request.params.id}`);
      return limit;
    },
  });
}
