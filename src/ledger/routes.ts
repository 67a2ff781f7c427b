import { Type } from 'typebox';
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
  MinorUnits,
  LimitMinorUnits,
  problemResponses,
} from '../http/index.ts';
import * as service from './service.ts';

const PositionSchema = Type.Object(
  {
    participantId: Type.String(),
    currency: Type.String(),
    position: MinorUnits,
    reserved: MinorUnits,
    netDebitCap: MinorUnits,
    prefunding: MinorUnits,
    headroom: MinorUnits,
  },
  {
    description:
      'headroom = netDebitCap + prefunding + position - reserved; negative position means the participant owes',
  },
);

const PositionQuery = Type.Intersect([
  ListQuery,
  Type.Object({
    currency: Type.Optional(CurrencyCode),
    participantId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'operator only; a participant always sees its own' }),
    ),
  }),
]);

const LimitsBody = Type.Object(
  { currency: CurrencyCode, netDebitCap: LimitMinorUnits, prefunding: LimitMinorUnits },
  { additionalProperties: false },
);
const tags = ['positions'];

export function ledgerRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/positions', {
    config: { auth: ['operator', 'participant'] },
    schema: {
      tags,
      summary: "Participants' positions, reservations, caps and headroom (a participant sees its own)",
      querystring: PositionQuery,
      response: { 200: ListOf(PositionSchema), ...problemResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const page = pageOf(request.query);
      const participantId = caller.type === 'operator' ? request.query.participantId : caller.id;
      const rows = await service.listPositionViews(ctx.db.kysely, {
        ...page,
        participantId,
        currency: request.query.currency,
      });
      return toPage(rows, page, service.positionCursor);
    },
  });

  app.put('/v1/participants/:id/limits', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: "Set a participant's net debit cap and record its prefunding in one currency (audited)",
      params: IdParams,
      body: LimitsBody,
      response: { 200: PositionSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await service.setLimits(ctx, callerOf(request), request.params.id, request.body)),
  });
}
