import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import {
  type App,
  IdParams,
  Timestamp,
  callerOf,
  invalidRequest,
  notFound,
  problemResponses,
  valueOrThrow,
} from '../http/index.ts';
import { disputeFigures } from './figures.ts';
import { explainDispute, listRules, setLiabilityRule } from './liability.ts';
import { bearers, circumstances, disputeReasons, noteCharsMax } from './model.ts';
import { readDispute } from './service.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

const RuleSchema = Type.Object({
  reason: Type.String(),
  circumstance: Type.String(),
  bears: Type.String(),
  note: Type.String(),
  updatedAt: Timestamp,
});
const RuleParams = Type.Object({ reason: literals(disputeReasons), circumstance: literals(circumstances) });
const RuleBody = Type.Object(
  { bears: literals(bearers), note: Type.String({ minLength: 1, maxLength: noteCharsMax }) },
  { additionalProperties: false },
);
const tags = ['disputes'];

export function liabilityRoutes(app: App, ctx: HubContext): void {
  app.get('/v1/liability-rules', {
    config: { auth: ['operator', 'participant', 'merchant'] },
    schema: {
      tags,
      summary: 'Who bears the loss of a dispute, per reason and circumstance: the rules every party is held to',
      response: { 200: Type.Object({ data: Type.Array(RuleSchema) }), ...problemResponses },
    },
    handler: async () => ({ data: await listRules(ctx.db.kysely) }),
  });

  app.put('/v1/liability-rules/:reason/:circumstance', {
    config: { auth: ['operator'] },
    schema: {
      tags,
      summary: 'Set who bears the loss for a reason in a circumstance (audited); later decisions follow it',
      params: RuleParams,
      body: RuleBody,
      response: { 200: RuleSchema, ...problemResponses },
    },
    handler: async (request) =>
      valueOrThrow(await setLiabilityRule(ctx, callerOf(request), request.params, request.body)),
  });

  app.get('/v1/dispute-figures', {
    config: { auth: ['operator', 'participant', 'merchant'] },
    schema: {
      tags,
      summary:
        'Disputes raised, won, lost and open, and disputes per 10 000 payments, per issuer, acquirer and merchant ' +
        'over [from, to): the operator sees all, a participant its own and its merchants, a merchant its own',
      querystring: Type.Object({ from: Timestamp, to: Timestamp }),
    },
    handler: async (request) => {
      // Normalised, so the period compares with the stored ISO stamps as text.
      const from = new Date(request.query.from).toISOString();
      const to = new Date(request.query.to).toISOString();
      if (from >= to) throw invalidRequest([{ pointer: '/query/to', detail: 'must be after from' }]);
      return { data: await disputeFigures(ctx.db.kysely, callerOf(request), { from, to }) };
    },
  });

  app.get('/v1/disputes/:id/explain', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: {
      tags,
      summary:
        "Why a dispute stands where it does: its reason's liability rules, the one that decided it, what is next",
      params: IdParams,
    },
    handler: async (request) => {
      const dispute = await readDispute(ctx, callerOf(request), request.params.id);
      if (!dispute) throw notFound(`dispute ${request.params.id}`);
      return explainDispute(ctx, dispute);
    },
  });
}
