import { type Static, type TObject, Type } from 'typebox';
import type { ProblemCodes } from '../capability.ts';
import type { HubContext } from '../context.ts';
import {
  type App,
  IdParams,
  ListOf,
  ListQuery,
  NullableTimestamp,
  PositiveMinorUnits,
  Timestamp,
  callerOf,
  notFound,
  pageOf,
  problemResponses,
  replayAs,
  toPage,
  valueOrThrow,
} from '../http/index.ts';
import { disputeReasons, evidenceCharsMax, noteCharsMax } from './model.ts';
import { actOnDispute, listDisputesFor, raiseDispute, readDispute, ruleDispute } from './service.ts';

/** The problem codes this capability answers besides the base ones; the root registers them. */
export const disputesProblemCodes: ProblemCodes = {
  payment_not_disputable: [422, 'The transfer is not a payment that can be disputed'],
  dispute_window_closed: [422, 'The window to raise a dispute for this reason has closed'],
  dispute_exceeds_remaining: [422, 'The dispute is more than what remains of the payment'],
  dispute_not_allowed: [422, 'A liability rule refuses this dispute'],
};

const Note = Type.String({ minLength: 1, maxLength: noteCharsMax });
const Evidence = Type.String({ minLength: 1, maxLength: evidenceCharsMax, description: 'text evidence' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

const NewDispute = Type.Object(
  {
    transferId: Type.String({ minLength: 1, maxLength: 64, description: "the payment's transfer" }),
    reason: Type.Union(disputeReasons.map((reason) => Type.Literal(reason))),
    amount: PositiveMinorUnits,
    note: Note,
    evidence: Type.Optional(Evidence),
  },
  { additionalProperties: false },
);

const DisputeSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  reason: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  paymentTransferId: Type.String(),
  chargebackTransferId: NullableString,
  arbitrationFeeTransferId: NullableString,
  issuerParticipantId: Type.String(),
  acquirerParticipantId: Type.String(),
  merchantId: Type.String(),
  note: Type.String(),
  evidence: NullableString,
  respondedBy: NullableString,
  responseNote: NullableString,
  responseEvidence: NullableString,
  escalationNote: NullableString,
  rulingReason: NullableString,
  rulingNote: NullableString,
  decidedByRule: NullableString,
  deadlineAt: NullableTimestamp,
  createdAt: Timestamp,
  acceptedAt: NullableTimestamp,
  contestedAt: NullableTimestamp,
  withdrawnAt: NullableTimestamp,
  escalatedAt: NullableTimestamp,
  ruledAt: NullableTimestamp,
});

const tags = ['disputes'];
const oneDispute = { 200: DisputeSchema, ...problemResponses };
const NoteBody = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false });
const ContestBody = Type.Object({ note: Note, evidence: Type.Optional(Evidence) }, { additionalProperties: false });
const AcceptBody = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false });
const RuleBody = Type.Object(
  {
    winner: Type.Optional(Type.Union([Type.Literal('issuer'), Type.Literal('acquirer')])),
    reason: Type.Literal('arbitration'),
    note: Note,
  },
  { additionalProperties: false },
);
const DisputeFilter = Type.Object({
  transferId: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
});

const replayDispute = (ctx: HubContext, status: number) =>
  replayAs(status, (id, request) => readDispute(ctx, callerOf(request), id));

export function disputeRoutes(app: App, ctx: HubContext): void {
  app.post('/v1/disputes', {
    config: { auth: ['participant'], idempotent: replayDispute(ctx, 201) },
    schema: {
      tags,
      summary: 'The issuer disputes part or all of a payment it paid; the acquirer and the merchant are told at once',
      body: NewDispute,
      response: { 201: DisputeSchema, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(valueOrThrow(await raiseDispute(ctx, callerOf(request), request.body))),
  });

  disputeStepRoutes(app, ctx);

  app.get('/v1/disputes/:id', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: { tags, params: IdParams, response: oneDispute },
    handler: async (request) => {
      const dispute = await readDispute(ctx, callerOf(request), request.params.id);
      if (!dispute) throw notFound(`dispute ${request.params.id}`);
      return dispute;
    },
  });

  app.get('/v1/disputes', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: {
      tags,
      summary: "Disputes the caller is party to, optionally of one payment (?transferId= is the payment's transfer)",
      querystring: Type.Intersect([ListQuery, DisputeFilter]),
      response: { 200: ListOf(DisputeSchema), ...problemResponses },
    },
    handler: async (request) => {
      const page = pageOf(request.query);
      const { transferId, status } = request.query;
      const rows = await listDisputesFor(ctx, callerOf(request), { ...page, transferId, status });
      return toPage(rows, page, (row) => row.id);
    },
  });
}

/** The dispute's steps, one POST per event of the table. */
function disputeStepRoutes(app: App, ctx: HubContext): void {
  /** One step of the table: a POST on the dispute whose body carries the step's note and evidence. */
  function step<B extends TObject>(
    segment: string,
    auth: ('merchant' | 'participant' | 'operator')[],
    summary: string,
    body: B,
    eventOf: (body: Static<B>) => 'accept' | 'contest' | 'withdraw' | 'escalate',
  ): void {
    app.post(`/v1/disputes/:id/${segment}`, {
      config: { auth, idempotent: replayDispute(ctx, 200) },
      schema: { tags, summary, params: IdParams, body, response: oneDispute },
      handler: async (request) => {
        const input = request.body as Static<B> & { note?: string; evidence?: string };
        const event = eventOf(input);
        return valueOrThrow(
          await actOnDispute(ctx, callerOf(request), request.params.id, event, {
            note: input.note,
            evidence: input.evidence,
          }),
        );
      },
    });
  }
  step(
    'accept',
    ['merchant', 'participant'],
    'The acquirer or its merchant accepts: the chargeback is posted',
    AcceptBody,
    () => 'accept',
  );
  step(
    'contest',
    ['merchant', 'participant'],
    'The acquirer or its merchant contests with evidence; the issuer answers next',
    ContestBody,
    () => 'contest',
  );
  step('withdraw', ['participant'], 'The issuer withdraws its dispute', NoteBody, () => 'withdraw');
  step('escalate', ['participant'], 'The issuer escalates a contest to the operator', NoteBody, () => 'escalate');
  app.post('/v1/disputes/:id/rule', {
    config: { auth: ['operator'], idempotent: replayDispute(ctx, 200) },
    schema: {
      tags,
      summary:
        'The operator rules an escalated dispute for one side (naming none, the liability rule decides); the loser ' +
        'pays the arbitration fee',
      params: IdParams,
      body: RuleBody,
      response: oneDispute,
    },
    handler: async (request) =>
      valueOrThrow(await ruleDispute(ctx, callerOf(request), request.params.id, request.body)),
  });
}
