/**
 * Transfers with fees: what each posts, what a reservation sets aside,
 * what refunds return, the cap with fees, and `position.threshold`.
 */
import { paymentOf as cnyPaymentOf } from './payment-input.test-support.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { checkLedger, positionView } from '../ledger/index.ts';
import {
  type MoneyParticipant,
  createMoneyParticipant,
  setLimits,
  withConcurrentContext,
} from '../ledger/fixtures.test-support.ts';
import { minor } from '../money/index.ts';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import {
  type PaymentInput,
  type Transfer,
  commitReservation,
  postPayment,
  postRefund,
  releaseReservation,
  reservePayment,
} from './index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

/** IDR: interchange 1 %, issuer switch 0.2 % + 100, acquirer switch 0.3 % at least 200, merchant discount 2 %. */
const idrSchedule = {
  interchange: { bps: 100 },
  issuerSwitchFee: { bps: 20, fixedAmount: 100 },
  acquirerSwitchFee: { bps: 30, minAmount: 200 },
  merchantDiscount: { bps: 200 },
};

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  const set = await operator('PUT', '/v1/fee-schedules/IDR', idrSchedule);
  expect(set.status, set.text).toBe(200);
});
afterAll(async () => hub?.stop());

const paymentOf = (...[payer, payee, amount, extra]: Parameters<typeof cnyPaymentOf>) =>
  cnyPaymentOf(payer, payee, amount, { currency: 'IDR', ...extra });

const pay = (input: PaymentInput) => inTransaction(hub.ctx.db, (tx) => postPayment(hub.ctx, tx, input));

async function must(result: Promise<{ ok: true; value: Transfer } | { ok: false; detail: string }>): Promise<Transfer> {
  const settled = await result;
  if (!settled.ok) throw new Error(settled.detail);
  return settled.value;
}

async function pair(cap = 100_000_000) {
  const issuer = await createMoneyParticipant(hub, ['IDR']);
  const acquirer = await createMoneyParticipant(hub, ['IDR']);
  await setLimits(hub, issuer.id, 'IDR', cap);
  await setLimits(hub, acquirer.id, 'IDR', 100_000_000);
  return { issuer, acquirer };
}

async function view(participant: MoneyParticipant) {
  const one = await positionView(hub.ctx.db.kysely, participant.id, 'IDR');
  return { position: one.position, reserved: one.reserved, headroom: one.headroom };
}

async function entriesOf(transferId: string) {
  return hub.ctx.db.kysely
    .selectFrom('ledger_entries')
    .select(['account', 'amount'])
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute();
}

describe('a payment with fees', () => {
  test(
    'issuer −(A − I) − Si, acquirer +(A − I) − Sa, hub +Si + Sa; the merchant discount is shown, never ' + 'posted',
    async () => {
      const { issuer, acquirer } = await pair();
      // A = 150 000: I 1 500; Si 300 + 100 = 400; Sa 450; MD 3 000.
      const paid = await must(pay(paymentOf(issuer, acquirer, 150_000)));
      expect(paid.fees).toEqual({
        interchange: 1_500,
        issuerSwitchFee: 400,
        acquirerSwitchFee: 450,
        merchantDiscount: 3_000,
      });
      expect(await entriesOf(paid.id)).toEqual([
        { account: issuer.id, amount: -148_900 },
        { account: acquirer.id, amount: 148_050 },
        { account: 'hub', amount: 850 },
      ]);
      expect((await view(issuer)).position).toBe(-148_900);
      expect((await view(acquirer)).position).toBe(148_050);
      expect((await operator('GET', `/v1/transfers/${paid.id}`)).body.fees).toEqual(paid.fees);
    },
  );

  test('no fee passes the amount, and the acquirer switch fee never passes what the acquirer receives', async () => {
    const { issuer, acquirer } = await pair();
    // A = 150: I 1.5 → 2; Si 0.3 → 0, + 100; Sa at least 200, but only 148 is left after interchange.
    const tiny = await must(pay(paymentOf(issuer, acquirer, 150)));
    expect(tiny.fees).toEqual({ interchange: 2, issuerSwitchFee: 100, acquirerSwitchFee: 148, merchantDiscount: 3 });
    expect(await entriesOf(tiny.id)).toEqual([
      { account: issuer.id, amount: -248 },
      { account: 'hub', amount: 248 },
    ]);
  });

  test('an on-us payment carries no interchange but pays both switch fees', async () => {
    const { issuer: both } = await pair();
    const paid = await must(pay(paymentOf(both, both, 10_000)));
    expect(paid).toMatchObject({
      onUs: true,
      fees: { interchange: 0, issuerSwitchFee: 120, acquirerSwitchFee: 200, merchantDiscount: 200 },
    });
    expect((await view(both)).position).toBe(-320);
  });

  test('the cap counts the fees the payer pays: exactly the headroom fits, one unit more does not', async () => {
    // A = 100 000 debits the issuer 100 000 − 1 000 + 300 = 99 300.
    const { issuer, acquirer } = await pair(99_299);
    expect(await pay(paymentOf(issuer, acquirer, 100_000))).toMatchObject({ ok: false, code: 'limit_exceeded' });
    await setLimits(hub, issuer.id, 'IDR', 99_300);
    expect((await pay(paymentOf(issuer, acquirer, 100_000))).ok).toBe(true);
    expect(await view(issuer)).toEqual({ position: -99_300, reserved: 0, headroom: 0 });
  });
});

describe('a reservation with fees', () => {
  test('sets aside what its commit will debit (A − I + Si), so the commit never passes the cap', async () => {
    const { issuer, acquirer } = await pair(99_300);
    const reserve = (amount: number) =>
      inTransaction(hub.ctx.db, (tx) =>
        reservePayment(hub.ctx, tx, paymentOf(issuer, acquirer, amount, { source: 'payment_code' })),
      );
    expect(await reserve(100_001)).toMatchObject({ ok: false, code: 'limit_exceeded' });
    const reserved = await must(reserve(100_000));
    expect(await view(issuer)).toEqual({ position: 0, reserved: 99_300, headroom: 0 });
    const committed = await inTransaction(hub.ctx.db, (tx) => commitReservation(hub.ctx, tx, reserved.id));
    expect(committed.fees).toEqual(reserved.fees);
    expect(await view(issuer)).toEqual({ position: -99_300, reserved: 0, headroom: 0 });

    // A = 10 000 sets aside 10 000 − 100 + 120 = 10 020.
    await setLimits(hub, issuer.id, 'IDR', 99_300 + 10_020);
    const released = await must(reserve(10_000));
    expect(await view(issuer)).toEqual({ position: -99_300, reserved: 10_020, headroom: 0 });
    await inTransaction(hub.ctx.db, (tx) => releaseReservation(hub.ctx, tx, released.id));
    expect(await view(issuer)).toEqual({ position: -99_300, reserved: 0, headroom: 10_020 });
    expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
  });
});

describe('refunds return interchange in proportion; switch fees never', () => {
  test(
    'three partial refunds: each returns the growth of round(I × refunded / A); the last takes the ' + 'remainder',
    async () => {
      const { issuer, acquirer } = await pair();
      // A = 30 000: I 300. Refunds of 10 001, 10 001 and 9 998: cumulative 100.01 → 100, 200.02 → 200, then 300.
      const paid = await must(pay(paymentOf(issuer, acquirer, 30_000)));
      const refund = (amount: number) =>
        must(
          inTransaction(hub.ctx.db, (tx) =>
            postRefund(hub.ctx, tx, { paymentTransferId: paid.id, amount: minor(amount) }),
          ),
        );
      const returned = [await refund(10_001), await refund(10_001), await refund(9_998)];
      expect(returned.map((one) => one.fees)).toEqual([
        { interchange: 100, issuerSwitchFee: 0, acquirerSwitchFee: 0, merchantDiscount: 0 },
        { interchange: 100, issuerSwitchFee: 0, acquirerSwitchFee: 0, merchantDiscount: 0 },
        { interchange: 100, issuerSwitchFee: 0, acquirerSwitchFee: 0, merchantDiscount: 0 },
      ]);
      expect(await entriesOf(returned[0]?.id as string)).toEqual([
        { account: acquirer.id, amount: -9_901 },
        { account: issuer.id, amount: 9_901 },
      ]);
      // Fully refunded: the interchange came back whole, the switch fees (60 + 100, 200) stay with the hub.
      expect((await view(issuer)).position).toBe(-160);
      expect((await view(acquirer)).position).toBe(-200);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    },
  );

  test('a refund that only returns interchange moves nothing and posts no entries', async () => {
    await operator('PUT', '/v1/fee-schedules/JPY', {
      interchange: { bps: 0, minAmount: 10 },
      issuerSwitchFee: { bps: 0 },
      acquirerSwitchFee: { bps: 0 },
      merchantDiscount: { bps: 0 },
    });
    const issuer = await createMoneyParticipant(hub, ['JPY']);
    const acquirer = await createMoneyParticipant(hub, ['JPY']);
    await setLimits(hub, acquirer.id, 'JPY', 1_000);
    // A = 5 yen: interchange at least 10, at most the amount: 5. The payment itself moves nothing either.
    const paid = await must(pay({ ...paymentOf(issuer, acquirer, 5), currency: 'JPY' }));
    expect(paid.fees.interchange).toBe(5);
    const back = await must(
      inTransaction(hub.ctx.db, (tx) => postRefund(hub.ctx, tx, { paymentTransferId: paid.id, amount: minor(5) })),
    );
    expect(back.fees.interchange).toBe(5);
    expect(await entriesOf(paid.id)).toEqual([]);
    expect(await entriesOf(back.id)).toEqual([]);
    expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
  });
});

async function thresholdEvents(participant: MoneyParticipant) {
  const rows = await hub.ctx.db.kysely
    .selectFrom('events as e')
    .innerJoin('event_participants as p', 'p.event_id', 'e.id')
    .select(['e.data'])
    .where('e.type', '=', 'position.threshold')
    .where('p.participant_id', '=', participant.id)
    .orderBy('e.id')
    .execute();
  return rows.map((row) => JSON.parse(row.data) as { threshold: number; direction: string; headroom: number });
}

describe('position.threshold', () => {
  test('told once each time the headroom crosses 25 % and 10 % of the cap, down and back up', async () => {
    await operator('PUT', '/v1/fee-schedules/CNY', {
      interchange: { bps: 0 },
      issuerSwitchFee: { bps: 0 },
      acquirerSwitchFee: { bps: 0 },
      merchantDiscount: { bps: 0 },
    });
    const issuer = await createMoneyParticipant(hub, ['CNY']);
    const acquirer = await createMoneyParticipant(hub, ['CNY']);
    await setLimits(hub, issuer.id, 'CNY', 1_000);
    const cny = (amount: number) => ({ ...paymentOf(issuer, acquirer, amount), currency: 'CNY' });
    await must(pay(cny(750))); // headroom 250: exactly 25 %, not below
    expect(await thresholdEvents(issuer)).toEqual([]);
    const below25 = await must(pay(cny(1))); // 249
    await must(pay(cny(150))); // 99: below 10 %
    expect(
      (await thresholdEvents(issuer)).map(({ threshold, direction, headroom }) => [threshold, direction, headroom]),
    ).toEqual([
      [25, 'down', 249],
      [10, 'down', 99],
    ]);
    await must(
      inTransaction(hub.ctx.db, (tx) => postRefund(hub.ctx, tx, { paymentTransferId: below25.id, amount: minor(1) })),
    ); // 100: at 10 %, up
    expect((await thresholdEvents(issuer)).slice(2)).toMatchObject([{ threshold: 10, direction: 'up', headroom: 100 }]);
    const event = (await thresholdEvents(issuer))[0];
    expect(event).toEqual({
      participantId: issuer.id,
      currency: 'CNY',
      threshold: 25,
      direction: 'down',
      position: -751,
      reserved: 0,
      netDebitCap: 1_000,
      prefunding: 0,
      headroom: 249,
    });
    expect(await thresholdEvents(acquirer)).toEqual([]);
  });

  test(
    '200 concurrent payments with fees against a cap that fits 100: exactly 100 commit, the cap holds, each ' +
      'threshold is told once',
    async () => {
      const { issuer, acquirer } = await pair();
      // A = 10 000 debits the issuer 10 000 − 100 + 120 = 10 020.
      await setLimits(hub, issuer.id, 'IDR', 100 * 10_020);
      const results = await withConcurrentContext(hub, (ctx) =>
        Promise.all(
          Array.from({ length: 200 }, () =>
            inTransaction(ctx.db, (tx) => postPayment(ctx, tx, paymentOf(issuer, acquirer, 10_000))),
          ),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(100);
      expect(results.filter((result) => !result.ok && result.code === 'limit_exceeded')).toHaveLength(100);
      expect(await view(issuer)).toEqual({ position: -100 * 10_020, reserved: 0, headroom: 0 });
      expect((await thresholdEvents(issuer)).map(({ threshold, direction }) => [threshold, direction])).toEqual([
        [25, 'down'],
        [10, 'down'],
      ]);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    },
  );
});
