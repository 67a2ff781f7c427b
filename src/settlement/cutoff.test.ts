/**
 * The cutoff on the transfer path: a transfer joins the window its time
 * belongs to, whether or not the `settlement-cutoff` worker has ticked
 * since the cutoff. Every hub here runs with `23:00 Asia/Jakarta` (16:00Z)
 * and its worker stopped; a test moves the clock and ticks it only to show
 * that it finds nothing left to do.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { checkLedger } from '../ledger/index.ts';
import {
  type MoneyParticipant,
  createMoneyParticipant,
  setLimits,
  withConcurrentContext,
} from '../ledger/fixtures.test-support.ts';
import { minor } from '../money/index.ts';
import { createManualClock } from '../platform/index.ts';
import { type TestHub, bearerClient, startTestHub, testEngine } from '../testing/index.ts';
import { type Transfer, postPayment, postRefund } from '../transfers/index.ts';
import { parseCutoff } from './index.ts';

const config = { settlementCutoff: parseCutoff('23:00 Asia/Jakarta') };

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let issuer: MoneyParticipant;
let acquirer: MoneyParticipant;
/** Every transfer the tests made, to count what each window must hold. */
const made: Transfer[] = [];

async function startCutoffHub(options: { reuseDatabaseOf?: TestHub } = {}): Promise<TestHub> {
  const started = await startTestHub({
    config,
    ...(options.reuseDatabaseOf ? { reuseDatabaseOf: options.reuseDatabaseOf } : {}),
    ...(options.reuseDatabaseOf ? {} : { clock: createManualClock(new Date('2026-03-10T09:00:00Z')) }), // 16:00 WIB
  });
  await started.workers['settlement-cutoff']?.stop();
  return started;
}

beforeAll(async () => {
  hub = await startCutoffHub();
  operator = bearerClient(hub, hub.operatorToken);
  issuer = await createMoneyParticipant(hub);
  acquirer = await createMoneyParticipant(hub);
  await setLimits(hub, issuer.id, 'CNY', 10_000_000);
  await setLimits(hub, acquirer.id, 'CNY', 10_000_000);
});
afterAll(async () => hub?.stop());

async function pay(amount: number, ctx: HubContext = hub.ctx): Promise<Transfer> {
  const input = {
    payerId: issuer.id,
    payeeId: acquirer.id,
    merchantId: acquirer.merchantId,
    amount: minor(amount),
    currency: 'CNY',
    source: 'checkout' as const,
  };
  const posted = await inTransaction(ctx.db, (tx) => postPayment(ctx, tx, input));
  if (!posted.ok) throw new Error(posted.detail);
  made.push(posted.value);
  return posted.value;
}

async function refund(payment: Transfer, amount: number): Promise<Transfer> {
  const posted = await inTransaction(hub.ctx.db, (tx) =>
    postRefund(hub.ctx, tx, { paymentTransferId: payment.id, amount: minor(amount) }),
  );
  if (!posted.ok) throw new Error(posted.detail);
  made.push(posted.value);
  return posted.value;
}

/** The report's counts of a closed window: those of the transfers made in it, and no other. */
async function expectCountsOfMade(windowId: string): Promise<void> {
  const inWindow = made.filter((transfer) => transfer.windowId === windowId);
  const payments = inWindow.filter((transfer) => transfer.kind === 'payment').length;
  expect((await reportOf(windowId)).counts, `window ${windowId}`).toEqual({
    transfers: inWindow.length,
    payments,
    refunds: inWindow.length - payments,
    chargebacks: 0,
  });
}

async function windowOf(id: string) {
  const answer = await operator('GET', `/v1/settlement-windows/${id}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

async function windows(status: 'open' | 'closed') {
  return (await operator('GET', `/v1/settlement-windows?status=${status}&limit=100`)).body.data as { id: string }[];
}

async function reportOf(id: string) {
  const answer = await operator('GET', `/v1/settlement-windows/${id}/report`);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

describe('a transfer after the cutoff, with no worker tick', () => {
  test(
    'joins the next window with the next business date; the old window closes with exactly the transfers ' +
      'before the cutoff',
    async () => {
      hub.clock.set(new Date('2026-03-10T15:00:00Z')); // 22:00 WIB
      const early = await pay(1_000);
      hub.clock.set(new Date('2026-03-10T15:59:59.999Z')); // the last millisecond of the business day
      const last = await pay(2_000);
      expect(last.windowId).toBe(early.windowId);
      expect(early.businessDate).toBe('2026-03-10');
      const closedBefore = (await windows('closed')).length;

      hub.clock.set(new Date('2026-03-10T16:00:00Z')); // 23:00 WIB: the cutoff
      const after = await pay(4_000);
      const refunded = await refund(early, 300);
      expect(after.windowId).not.toBe(early.windowId);
      expect(after.businessDate).toBe('2026-03-11');
      expect(refunded).toMatchObject({ windowId: after.windowId, businessDate: '2026-03-11' });

      expect(await windowOf(early.windowId as string)).toMatchObject({
        status: 'closed',
        businessDate: '2026-03-10',
        closedAt: '2026-03-10T16:00:00.000Z',
        nextWindowId: after.windowId,
      });
      expect(await windowOf(after.windowId as string)).toMatchObject({
        status: 'open',
        businessDate: '2026-03-11',
        openedAt: '2026-03-10T16:00:00.000Z',
      });
      expect((await windows('closed')).length).toBe(closedBefore + 1);
      const report = await reportOf(early.windowId as string);
      expect(report.counts).toEqual({ transfers: 2, payments: 2, refunds: 0, chargebacks: 0 });
      expect(report.lines.find((line: { participantId: string }) => line.participantId === issuer.id)).toMatchObject({
        sent: 3_000,
      });
      const audit = await operator('GET', `/v1/audit-events?objectId=${early.windowId}`);
      expect(audit.body.data).toMatchObject([{ action: 'settlement_window.closed', actor: { type: 'system' } }]);

      await hub.workers['settlement-cutoff']?.runOnce(); // a late tick finds nothing due
      expect((await windows('closed')).length).toBe(closedBefore + 1);
      expect((await windows('open')).map((window) => window.id)).toEqual([after.windowId]);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    },
  );

  test('after a hub was down across two cutoffs, the next transfer rolls the window once', async () => {
    hub.clock.set(new Date('2026-03-11T10:00:00Z')); // 17:00 WIB on the 11th
    const before = await pay(500);
    expect(before.businessDate).toBe('2026-03-11');
    const closedBefore = (await windows('closed')).length;

    hub.clock.set(new Date('2026-03-13T02:00:00Z')); // 09:00 WIB on the 13th: the 11th's and 12th's cutoffs passed
    const first = await pay(600);
    const second = await pay(700);
    expect(first.windowId).not.toBe(before.windowId);
    expect(first).toMatchObject({ businessDate: '2026-03-13' });
    expect(second.windowId).toBe(first.windowId);
    expect(await windowOf(before.windowId as string)).toMatchObject({
      status: 'closed',
      closedAt: '2026-03-13T02:00:00.000Z',
      nextWindowId: first.windowId,
    });
    expect((await windows('closed')).length).toBe(closedBefore + 1); // no empty window for the 12th
    await expectCountsOfMade(before.windowId as string);
  });

  test('a hub restarted after the cutoff puts its first transfer in the next window', async () => {
    hub.clock.set(new Date('2026-03-13T15:00:00Z')); // 22:00 WIB on the 13th
    const before = await pay(800);
    await hub.stop({ keepDatabase: true });
    hub.clock.set(new Date('2026-03-13T16:30:00Z')); // 23:30 WIB: the hub was down at the cutoff
    hub = await startCutoffHub({ reuseDatabaseOf: hub });
    operator = bearerClient(hub, hub.operatorToken);
    const after = await pay(900);
    expect(after.windowId).not.toBe(before.windowId);
    expect(after.businessDate).toBe('2026-03-14');
    expect(await windowOf(before.windowId as string)).toMatchObject({ status: 'closed', nextWindowId: after.windowId });
    await expectCountsOfMade(before.windowId as string);
  });
});

describe('concurrent transfers right after the cutoff', () => {
  test('roll the window once, from every process, and all join the new window', async () => {
    hub.clock.set(new Date('2026-03-14T15:30:00Z')); // 22:30 WIB on the 14th
    const before = await pay(100);
    const closedBefore = (await windows('closed')).length;
    // PostgreSQL: a second hub process on the same database, and a pool of
    // the test's own. SQLite allows one process; its transactions queue.
    const second = testEngine() === 'postgres' ? await startCutoffHub({ reuseDatabaseOf: hub }) : undefined;
    try {
      hub.clock.set(new Date('2026-03-14T16:00:00.001Z'));
      const paid = await withConcurrentContext(hub, (pool) => {
        const contexts = [hub.ctx, pool, ...(second ? [second.ctx] : [])];
        return Promise.all(Array.from({ length: 24 }, (_, index) => pay(10, contexts[index % contexts.length])));
      });
      const joined = new Set(paid.map((transfer) => transfer.windowId));
      expect([...joined]).toHaveLength(1);
      const [next] = joined;
      expect(next).not.toBe(before.windowId);
      expect(await windowOf(before.windowId as string)).toMatchObject({ status: 'closed', nextWindowId: next });
      expect((await windows('closed')).length).toBe(closedBefore + 1);
      expect((await windows('open')).map((window) => window.id)).toEqual([next]);
      const audit = await operator('GET', `/v1/audit-events?objectId=${before.windowId}`);
      expect(audit.body.data.map((event: { action: string }) => event.action)).toEqual(['settlement_window.closed']);
      await expectCountsOfMade(before.windowId as string);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    } finally {
      await second?.stop();
    }
  });
});
