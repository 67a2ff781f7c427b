import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { createMoneyParticipant, setLimits, withConcurrentContext } from '../ledger/fixtures.test-support.ts';
import { checkLedger, positionView } from '../ledger/index.ts';
import { type TestHub, startTestHub, testEngine } from '../testing/index.ts';
import { type PaymentInput, postPayment } from './index.ts';
import { paymentOf } from './payment-input.test-support.ts';

/**
 * A payment moves positions as the last statements of its transaction, so
 * a payment still in flight does not hold its payer's or payee's position
 * row, and the cap is checked again under the row lock at the end. Both are
 * about two transactions at once: SQLite runs one at a time, so this file
 * runs on PostgreSQL.
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => hub?.stop());

if (testEngine() !== 'postgres') {
  console.log(
    'skipped on SQLite, by design: SQLite runs one transaction at a time, so no payment can be in flight ' +
      'beside another; the PostgreSQL run covers it',
  );
}

/** A payment posted in a transaction that stays open, after the payment, until `finish` is called. */
function paymentHeldOpen(ctx: TestHub['ctx'], input: PaymentInput) {
  let finish!: () => void;
  const mayFinish = new Promise<void>((resolve) => (finish = resolve));
  let posted!: () => void;
  const isPosted = new Promise<void>((resolve) => (posted = resolve));
  const outcome = inTransaction(ctx.db, async (tx) => {
    const payment = await postPayment(ctx, tx, input);
    posted();
    await mayFinish;
    return payment;
  });
  return { isPosted, finish, outcome };
}

async function rowLocksOnPositions(): Promise<number> {
  const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(hub.ctx.db.kysely);
  return rows[0]?.waiting ?? 0;
}

test.skipIf(testEngine() !== 'postgres')(
  "a payment in flight holds neither party's position row: the next payment of the same pair commits beside it",
  async () => {
    const wallet = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, wallet.id, 'CNY', 10_000);
    await withConcurrentContext(hub, async (ctx) => {
      const first = paymentHeldOpen(ctx, paymentOf(wallet, acquirer, 1_000));
      await first.isPosted;
      const second = await inTransaction(ctx.db, (tx) => postPayment(ctx, tx, paymentOf(wallet, acquirer, 2_000)));
      expect(second.ok).toBe(true);
      expect(await rowLocksOnPositions()).toBe(0);
      first.finish();
      expect((await first.outcome).ok).toBe(true);
    });
    expect((await positionView(hub.ctx.db.kysely, wallet.id, 'CNY')).position).toBe(-3_000);
    expect((await positionView(hub.ctx.db.kysely, acquirer.id, 'CNY')).position).toBeGreaterThan(0);
    expect((await checkLedger(hub.ctx.db.kysely)).ok).toBe(true);
  },
);

test.skipIf(testEngine() !== 'postgres')(
  'a debit that fitted when checked but not at the commit refuses the whole transaction with limit_exceeded',
  async () => {
    const wallet = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, wallet.id, 'CNY', 3_000);
    await withConcurrentContext(hub, async (ctx) => {
      const first = paymentHeldOpen(ctx, paymentOf(wallet, acquirer, 2_000));
      await first.isPosted;
      const second = await inTransaction(ctx.db, (tx) => postPayment(ctx, tx, paymentOf(wallet, acquirer, 2_000)));
      expect(second.ok).toBe(true);
      first.finish();
      const late = await first.outcome;
      expect(late).toMatchObject({ ok: false, code: 'limit_exceeded' });
    });
    const view = await positionView(hub.ctx.db.kysely, wallet.id, 'CNY');
    expect(view.position).toBe(-2_000);
    expect(view.headroom).toBe(1_000);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from transfers
      where payer_id = ${wallet.id}`.execute(hub.ctx.db.kysely);
    expect(rows[0]?.n).toBe(1);
    expect((await checkLedger(hub.ctx.db.kysely)).ok).toBe(true);
  },
);
