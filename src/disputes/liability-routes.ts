import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { type App, IdParams, Timestamp, callerOf, notFound, problemResponses, valueOrThrow } from '../http/index.ts';
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
