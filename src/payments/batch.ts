/**
 * `POST /v1/transfers/batch`: up to `batchItemsMax` transfers signed once,
 * under one `Idempotency-Key`, each item with its own `payer.ref`. Each item
 * is paid on its own (its own transaction, its own refusal), in the order
 * sent, so a refused item refuses nothing else and the cap is met in order.
 * The answer has one entry per item. A repeat of the batch is the stored
 * answer; if that answer was lost (the process died after the batch), the
 * batch runs again: every item already made is found by its `payer.ref`
 * and answered as before, and only items that were refused are tried again.
 */
import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import {
  type App,
  type Caller,
  type IdempotentReplay,
  callerOf,
  outsideIdempotentEffect,
  ProblemSchema,
  problemOf,
  problemResponses,
  recordIdempotentEffect,
} from '../http/index.ts';
import { invariant, newId } from '../platform/index.ts';
import { TransferSchema, transferJson } from '../transfers/index.ts';
import { TransferBody } from './routes.ts';
import type { PaymentService } from './service.ts';

/** A wallet that sends more at once splits its batches; the answer must stay one reasonable body. */
export const batchItemsMax = 1_000;
const createdStatus = 201;

const BatchBody = Type.Object(
  { items: Type.Array(TransferBody, { minItems: 1, maxItems: batchItemsMax }) },
  { additionalProperties: false },
);
type BatchItemInput = {
  paymentToken: string;
  amount: number;
  currency: string;
  payer: { ref: string };
};

const BatchAnswer = Type.Object({
  id: Type.String({ description: 'the batch, as its Idempotency-Key recorded it' }),
  committed: Type.Integer({ minimum: 0 }),
  refused: Type.Integer({ minimum: 0 }),
  items: Type.Array(
    Type.Union([
      Type.Object({ index: Type.Integer(), status: Type.Literal(createdStatus), transfer: TransferSchema }),
      Type.Object({ index: Type.Integer(), status: Type.Integer({ minimum: 400 }), problem: ProblemSchema }),
    ]),
    { description: 'one per item, in the order sent' },
  ),
});

type ItemAnswer =
  | { index: number; status: typeof createdStatus; transfer: ReturnType<typeof transferJson> }
  | { index: number; status: number; problem: ReturnType<ReturnType<typeof problemOf>['toBody']> };

async function payItems(
  ctx: HubContext,
  payments: PaymentService,
  caller: Caller,
  items: readonly BatchItemInput[],
): Promise<ItemAnswer[]> {
  const answers: ItemAnswer[] = [];
  for (const [index, item] of items.entries()) {
    const input = { paymentToken: item.paymentToken, amount: item.amount, currency: item.currency };
    const paid = await payments.transfer(ctx, caller, { ...input, payerRef: item.payer.ref });
    if (paid.ok) {
      answers.push({ index, status: createdStatus, transfer: transferJson(paid.value.transfer) });
    } else {
      const problem = problemOf(paid);
      answers.push({ index, status: problem.status, problem: problem.toBody() });
    }
  }
  invariant(answers.length === items.length, `a batch answers each of its ${items.length} items once`);
  return answers;
}

function batchAnswer(id: string, items: ItemAnswer[]) {
  const committed = items.filter((item) => item.status === createdStatus).length;
  return { id, committed, refused: items.length - committed, items };
}

/** A batch whose stored answer was lost runs again: what it made answers as made, the rest is tried again. */
const rerunBatch =
  (ctx: HubContext, payments: PaymentService): IdempotentReplay =>
  async (effect, request) => {
    const { items } = request.body as { items: BatchItemInput[] };
    const answers = await outsideIdempotentEffect(() => payItems(ctx, payments, callerOf(request), items));
    return { status: 200, body: batchAnswer(effect.id, answers) };
  };

export function batchRoutes(app: App, ctx: HubContext, payments: PaymentService): void {
  app.post('/v1/transfers/batch', {
    config: { auth: ['participant'], idempotent: rerunBatch(ctx, payments) },
    schema: {
      tags: ['payments'],
      summary: `Pay up to ${batchItemsMax} transfers signed once; one answer per item, a refused item refuses no other`,
      body: BatchBody,
      response: { 200: BatchAnswer, ...problemResponses },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const answers = await outsideIdempotentEffect(() => payItems(ctx, payments, caller, request.body.items));
      const id = newId('tbt', ctx.clock.now(), ctx.random);
      await inTransaction(ctx.db, (tx) => recordIdempotentEffect(tx, { kind: 'transfer_batch', id }));
      return batchAnswer(id, answers);
    },
  });
}
