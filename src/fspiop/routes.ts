import { type Static, Type } from 'typebox';
import type { ProblemCodes } from '../capability.ts';
import type { HubContext } from '../context.ts';
import { type App, CurrencyCode, ListOf, callerOf, notFound, problemResponses, valueOrThrow } from '../http/index.ts';
import { hubPublicKey } from './hub-key.ts';
import { hubFspId } from './model.ts';
import * as outbound from './outbound.ts';
import * as service from './service.ts';
import * as store from './store.ts';

/** The problem codes of the operator's DFSP routes; the FSPIOP routes answer FSPIOP errorInformation instead. */
export const fspiopProblemCodes: ProblemCodes = {
  fspiop_merchant_invalid: [422, "The merchant is not the DFSP participant's own"],
  fspiop_jws_key_invalid: [422, 'The JWS public key is not an RSA key of 2048 bits or more'],
  fspiop_party_unknown: [422, 'No DFSP holds the party in this currency'],
  fspiop_payer_ref_reused: [409, 'The payer.ref names another FSPIOP payment'],
};

/** FspId in FSPIOP: 1 to 32 characters. */
export const fspIdCharsMax = 32;
const callbackUrlCharsMax = 2048;
/** A PEM of an RSA public key of 8192 bits is about 1 400 characters. */
const jwsKeyCharsMax = 4096;

const DfspSchema = Type.Object(
  {
    fspId: Type.String(),
    participantId: Type.String(),
    callbackUrl: Type.String(),
    currencies: Type.Array(Type.String()),
    merchantId: Type.String(),
    jwsPublicKey: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'FspiopDfsp' },
);

const DfspBody = Type.Object(
  {
    participantId: Type.String({ minLength: 1, maxLength: 64 }),
    callbackUrl: Type.String({ minLength: 1, maxLength: callbackUrlCharsMax, format: 'uri' }),
    currencies: Type.Array(CurrencyCode, { minItems: 1, maxItems: 16 }),
    merchantId: Type.String({ minLength: 1, maxLength: 64 }),
    jwsPublicKey: Type.Optional(Type.String({ minLength: 1, maxLength: jwsKeyCharsMax })),
  },
  { additionalProperties: false },
);

const FspIdParams = Type.Object({
  fspId: Type.String({ minLength: 1, maxLength: fspIdCharsMax, pattern: '^[A-Za-z0-9._-]+$' }),
});

const tags = ['fspiop'];

/** The operator's side: which participants are Mojaloop DFSPs, under which fspId, reached where. */
export function dfspRoutes(app: App, ctx: HubContext): void {
  app.addSchema(DfspSchema);
  const dfspRef = Type.Unsafe<Static<typeof DfspSchema>>({ $ref: 'FspiopDfsp#' });

  app.put('/v1/fspiop/dfsps/:fspId', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: 'Make a participant an FSPIOP DFSP under fspId, or change its callback URL, currencies or merchant',
      description:
        'merchantId is a merchant of the participant (as acquirer) that FSPIOP transfers to this DFSP are booked ' +
        'under. jwsPublicKey (PEM, RSA): every FSPIOP message from the DFSP must then carry an FSPIOP-Signature ' +
        'that verifies with it (3105 otherwise); leaving it out of a PUT removes it. 404 not_found when the ' +
        'participant is unknown.',
      params: FspIdParams,
      body: DfspBody,
      response: { 200: dfspRef, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.registerDfsp(ctx, callerOf(request), request.params.fspId, request.body)),
  });

  app.get('/v1/fspiop/jws-key', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: "The hub's JWS public key, for DFSPs that check every inbound FSPIOP-Signature",
      description:
        'The hub signs the FSPIOP messages it makes itself (FSPIOP-Source lintas) with it: a DFSP that runs ' +
        'VALIDATE_INBOUND_JWS keeps it as lintas.pem beside its peers keys.',
      response: { 200: Type.Object({ fspId: Type.String(), publicKey: Type.String() }), ...problemResponses },
    },
    handler: async () => ({ fspId: hubFspId, publicKey: await hubPublicKey(ctx) }),
  });

  app.get('/v1/fspiop/dfsps', {
    config: { auth: ['operator'] },
    schema: { tags, summary: 'Every FSPIOP DFSP, by fspId', response: { 200: ListOf(dfspRef), ...problemResponses } },
    handler: async () => ({ data: await store.listDfsps(ctx.db.kysely), nextCursor: null }),
  });
}

const OutboundSchema = Type.Object(
  {
    id: Type.String(),
    payerRef: Type.String(),
    payee: Type.Object({ partyIdType: Type.String(), partyIdentifier: Type.String(), fspId: Type.String() }),
    amount: Type.Integer(),
    currency: Type.String(),
    state: Type.String(),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    transferId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
  },
  { $id: 'FspiopOutbound' },
);

const OutboundBody = Type.Object(
  {
    payee: Type.Object(
      {
        partyIdType: Type.Union(
          ['MSISDN', 'EMAIL', 'PERSONAL_ID', 'BUSINESS', 'DEVICE', 'ACCOUNT_ID', 'IBAN', 'ALIAS'].map((type) =>
            Type.Literal(type),
          ),
        ),
        partyIdentifier: Type.String({ minLength: 1, maxLength: 128 }),
      },
      { additionalProperties: false },
    ),
    amount: Type.Integer({ minimum: 1 }),
    currency: CurrencyCode,
    payer: Type.Object({ ref: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

/** A Lintas wallet's side: it pays a Mojaloop DFSP's party, the hub acting as its payer FSP. */
export function outboundRoutes(app: App, ctx: HubContext): void {
  app.addSchema(OutboundSchema);
  const outboundRef = Type.Unsafe<Static<typeof OutboundSchema>>({ $ref: 'FspiopOutbound#' });

  app.post('/v1/fspiop/transfers', {
    config: { auth: ['participant'] },
    schema: {
      tags,
      summary: "Pay a Mojaloop DFSP's party (MSISDN, ...) from this wallet; the answer says where it stands",
      description:
        'The hub finds the party in its oracle, asks its DFSP for a quote, reserves against the wallet cap and ' +
        'sends the transfer; follow it with GET. A repeated payer.ref returns the same payment (200).',
      body: OutboundBody,
      response: { 200: outboundRef, 202: outboundRef, ...problemResponses },
    },
    handler: async (request, reply) => {
      const { payee, amount, currency, payer } = request.body;
      const started = valueOrThrow(
        await outbound.startOutbound(ctx, callerOf(request), { ...payee, amount, currency, payerRef: payer.ref }),
      );
      return reply.code(started.repeated ? 200 : 202).send(started.view);
    },
  });

  app.get('/v1/fspiop/transfers/:id', {
    config: { auth: ['participant'] },
    schema: {
      tags,
      summary: "Where this wallet's payment to a DFSP's party stands",
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: outboundRef, ...problemResponses },
    },
    handler: async (request) => {
      const found = await outbound.findOutbound(ctx, callerOf(request), request.params.id);
      if (!found) throw notFound(`FSPIOP payment ${request.params.id}`);
      return found;
    },
  });
}
