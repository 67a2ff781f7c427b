import { type Static, Type } from 'typebox';
import type { ProblemCodes } from '../capability.ts';
import type { HubContext } from '../context.ts';
import { type App, CurrencyCode, ListOf, callerOf, problemResponses, valueOrThrow } from '../http/index.ts';
import * as service from './service.ts';
import * as store from './store.ts';

/** The problem codes of the operator's DFSP routes; the FSPIOP routes answer FSPIOP errorInformation instead. */
export const fspiopProblemCodes: ProblemCodes = {
  fspiop_merchant_invalid: [422, "The merchant is not the DFSP participant's own"],
  fspiop_jws_key_invalid: [422, 'The JWS public key is not an RSA key of 2048 bits or more'],
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

  app.get('/v1/fspiop/dfsps', {
    config: { auth: ['operator'] },
    schema: { tags, summary: 'Every FSPIOP DFSP, by fspId', response: { 200: ListOf(dfspRef), ...problemResponses } },
    handler: async () => ({ data: await store.listDfsps(ctx.db.kysely), nextCursor: null }),
  });
}
