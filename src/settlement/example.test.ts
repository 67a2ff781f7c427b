/**
 * The hand-worked example of issue 10: three wallets, ten payments (one
 * on-us), two refunds, known fees, one window, and every number of its
 * report written out. Each figure is worked in the comments beside it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { checkLedger } from '../ledger/index.ts';
import { type MoneyParticipant, createMoneyParticipant, setLimits } from '../ledger/fixtures.test-support.ts';
import { minor } from '../money/index.ts';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import { type Transfer, postPayment, postRefund } from '../transfers/index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let w1: MoneyParticipant;
let w2: MoneyParticipant;
let w3: MoneyParticipant;
const payments: Transfer[] = [];
const refunds: Transfer[] = [];
let windowId: string;

async function must(result: Promise<{ ok: true; value: Transfer } | { ok: false; detail: string }>): Promise<Transfer> {
  const settled = await result;
  if (!settled.ok) throw new Error(settled.detail);
  return settled.value;
}

function pay(payer: MoneyParticipant, payee: MoneyParticipant, amount: number) {
  const input = {
    payerId: payer.id,
    payeeId: payee.id,
    merchantId: payee.merchantId,
    amount: minor(amount),
    currency: 'CNY',
    source: 'checkout' as const,
  };
  return must(inTransaction(hub.ctx.db, (tx) => postPayment(hub.ctx, tx, input)));
}

function refund(payment: Transfer, amount: number) {
  return must(
    inTransaction(hub.ctx.db, (tx) =>
      postRefund(hub.ctx, tx, { paymentTransferId: payment.id, amount: minor(amount) }),
    ),
  );
}

/**
 * CNY schedule: interchange 60 bps, at least 5; issuer switch fee 5 bps + 1;
 * acquirer switch fee 10 bps, at least 3; merchant discount 150 bps. W3
 * charges its merchant M3 its own discount: 100 bps + 20. Rounding is half
 * to even: 25.5 → 26, 4.5 → 4, 2.5 → 2, 1.5 → 2, 10.5 → 10, 7.5 → 8.
 */
beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  w1 = await createMoneyParticipant(hub);
  w2 = await createMoneyParticipant(hub);
  w3 = await createMoneyParticipant(hub);
  for (const wallet of [w1, w2, w3]) await setLimits(hub, wallet.id, 'CNY', 1_000_000);
  const schedule = await operator('PUT', '/v1/fee-schedules/CNY', {
    interchange: { bps: 60, minAmount: 5 },
    issuerSwitchFee: { bps: 5, fixedAmount: 1 },
    acquirerSwitchFee: { bps: 10, minAmount: 3 },
    merchantDiscount: { bps: 150 },
  });
  expect(schedule.status, schedule.text).toBe(200);
  const own = await w3.call('PUT', `/v1/merchants/${w3.merchantId}/fees`, {
    merchantDiscount: { bps: 100, fixedAmount: 20 },
  });
  expect(own.status, own.text).toBe(200);

  payments.push(await pay(w1, w2, 10_000)); // P1
  payments.push(await pay(w1, w3, 2_500)); // P2
  payments.push(await pay(w2, w1, 4_250)); // P3
  payments.push(await pay(w2, w3, 750)); // P4
  payments.push(await pay(w3, w1, 12_345)); // P5
  payments.push(await pay(w3, w2, 8_000)); // P6
  payments.push(await pay(w1, w2, 1_750)); // P7
  payments.push(await pay(w2, w1, 3_000)); // P8
  payments.push(await pay(w3, w3, 5_000)); // P9, on-us
  payments.push(await pay(w1, w3, 6_600)); // P10
  const p4 = payments[3] as Transfer;
  refunds.push(await refund(p4, 375)); // R1: half of P4
  refunds.push(await refund(p4, 375)); // R2: the rest of P4
});
afterAll(async () => hub?.stop());

const fees = (interchange: number, issuerSwitchFee: number, acquirerSwitchFee: number, merchantDiscount: number) => ({
  interchange,
  issuerSwitchFee,
  acquirerSwitchFee,
  merchantDiscount,
});

/**
 * The file is one story: each step builds on the state the steps before it
 * left, so it runs as one test, and a failure names the step it stopped at
 * instead of failing every later step for the same cause.
 */
async function step(name: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error) error.message = `step "${name}": ${error.message}`;
    throw error;
  }
}

test('the hand-worked window', async () => {
  await step('every transfer shows its fees, its window and its business date', () => {
    expect(payments.map((payment) => payment.fees)).toEqual([
      fees(60, 6, 10, 150), // P1 10 000: I 60; Si 5 + 1; Sa 10; MD 150
      fees(15, 2, 3, 45), //   P2  2 500: I 15; Si 1.25 → 1, + 1; Sa 2.5 → 2, at least 3; M3's own MD 25 + 20
      fees(26, 3, 4, 64), //   P3  4 250: I 25.5 → 26; Si 2.125 → 2, + 1; Sa 4.25 → 4; MD 63.75 → 64
      //    P4    750: I 4.5 → 4, at least 5; Si 0.375 → 0, + 1; Sa 0.75 → 1, at least 3; MD 7.5 → 8, + 20
      fees(5, 1, 3, 28),
      fees(74, 7, 12, 185), // P5 12 345: I 74.07 → 74; Si 6.17 → 6, + 1; Sa 12.345 → 12; MD 185.175 → 185
      fees(48, 5, 8, 120), //  P6  8 000
      fees(10, 2, 3, 26), //   P7  1 750: I 10.5 → 10; Si 0.875 → 1, + 1; Sa 1.75 → 2, at least 3; MD 26.25 → 26
      fees(18, 3, 3, 45), //   P8  3 000: Si 1.5 → 2, + 1
      fees(0, 3, 5, 70), //    P9  5 000 on-us: no interchange; Si 2.5 → 2, + 1; MD 50 + 20
      fees(40, 4, 7, 86), //   P10 6 600: I 39.6 → 40; Si 3.3 → 3, + 1; Sa 6.6 → 7; MD 66 + 20
    ]);
    expect(payments[8]?.onUs).toBe(true);
    // P4's interchange of 5 returns in proportion, counted cumulatively: round(5 × 375/750) = 2.5 → 2, then the last
    // refund takes 5 − 2 = 3.
    expect(refunds.map((one) => one.fees)).toEqual([fees(2, 0, 0, 0), fees(3, 0, 0, 0)]);
    const window = payments[0]?.windowId;
    expect(window).toMatch(/^win_/);
    expect(
      [...payments, ...refunds].every(
        (transfer) =>
          transfer.windowId === window && transfer.businessDate === hub.clock.now().toISOString().slice(0, 10),
      ),
    ).toBe(true);
    windowId = window as string;
  });

  await step('positions hold the nets before the close; the hub earned 94 in switch fees', async () => {
    const positions = await operator('GET', '/v1/positions?currency=CNY&limit=100');
    const of = (wallet: MoneyParticipant) =>
      positions.body.data.find((row: { participantId: string }) => row.participantId === wallet.id);
    expect(of(w1)).toMatchObject({
      position: -1_281,
      reserved: 0,
      netDebitCap: 1_000_000,
      prefunding: 0,
      headroom: 998_719,
    });
    expect(of(w2)).toMatchObject({ position: 12_398, headroom: 1_012_398 });
    expect(of(w3)).toMatchObject({ position: -11_211, headroom: 988_789 });
  });

  await step('closing answers the closed window and opens the next', async () => {
    hub.clock.advanceMs(60_000);
    const closed = await operator('POST', '/v1/settlement-windows/close', undefined, {
      idempotencyKey: 'close-example',
    });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toEqual({
      id: windowId,
      status: 'closed',
      businessDate: payments[0]?.businessDate,
      openedAt: expect.any(String),
      closedAt: hub.clock.now().toISOString(),
      settledAt: null,
      nextWindowId: expect.stringMatching(/^win_/),
    });
    const replay = await operator('POST', '/v1/settlement-windows/close', undefined, {
      idempotencyKey: 'close-example',
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(closed.body);
    const next = await operator('GET', `/v1/settlement-windows/${closed.body.nextWindowId}`);
    expect(next.body).toMatchObject({ status: 'open', closedAt: null, openedAt: hub.clock.now().toISOString() });
  });

  await step('the report, every number written out; nets sum to zero', async () => {
    const report = await operator('GET', `/v1/settlement-windows/${windowId}/report`);
    expect(report.status, report.text).toBe(200);
    const line = (
      participantId: string,
      sent: number,
      received: number,
      feesPaid: number,
      feesReceived: number,
      net: number,
    ) => ({
      participantId,
      currency: 'CNY',
      sent,
      received,
      feesPaid,
      feesReceived,
      net,
    });
    expect(report.body.lines).toEqual([
      // W1 sent P1 + P2 + P7 + P10 = 20 850; received P3 + P5 + P8 = 19 595;
      // paid Si 6 + 2 + 2 + 4 and, as acquirer, I + Sa (26 + 4) + (74 + 12) + (18 + 3): 14 + 137 = 151;
      // earned interchange 60 + 15 + 10 + 40 = 125. Net 19 595 − 20 850 + 125 − 151 = −1 281.
      line(w1.id, 20_850, 19_595, 151, 125, -1_281),
      // W2 sent P3 + P4 + P8 = 8 000; received P1 + P6 + P7 + R1 + R2 = 20 500;
      // paid Si 3 + 1 + 3 and I + Sa (60 + 10) + (48 + 8) + (10 + 3), and gave back R1's 2 and R2's 3 of interchange: 7
      // + 144 = 151;
      // earned interchange 26 + 5 + 18 = 49. Net 20 500 − 8 000 + 49 − 151 = 12 398.
      line(w2.id, 8_000, 20_500, 151, 49, 12_398),
      // W3 sent P5 + P6 + P9 + R1 + R2 = 26 095; received P2 + P4 + P9 + P10 = 14 850 (on-us P9 both ways);
      // paid Si 7 + 5 + 3 and I + Sa (15 + 3) + (5 + 3) + (0 + 5) + (40 + 7): 15 + 78 = 93;
      // earned interchange 74 + 48 and got back 2 + 3 on the refunds: 127. Net 14 850 − 26 095 + 127 − 93 = −11 211.
      line(w3.id, 26_095, 14_850, 93, 127, -11_211),
      // The hub: the issuer switch fees 36 and the acquirer switch fees 58.
      line('hub', 0, 0, 0, 94, 94),
    ]);
    expect(report.body.lines.reduce((sum: number, one: { net: number }) => sum + one.net, 0)).toBe(0);

    const owes = (payerId: string, payeeId: string, amount: number) => ({ payerId, payeeId, currency: 'CNY', amount });
    const byPair = (a: { payerId: string; payeeId: string }, b: { payerId: string; payeeId: string }) =>
      a.payerId === b.payerId ? (a.payeeId < b.payeeId ? -1 : 1) : a.payerId < b.payerId ? -1 : 1;
    expect(report.body.bilateral).toEqual(
      [
        // W1 → W2: (P1 9 940 + P7 1 740) − (P3 4 224 + P8 2 982) = 4 474.
        owes(w1.id, w2.id, 4_474),
        // W3 → W1: P5 12 271 − (P2 2 485 + P10 6 560) = 3 226.
        owes(w3.id, w1.id, 3_226),
        // W3 → W2: (P6 7 952 + R1 373 + R2 372) − P4 745 = 7 952.
        owes(w3.id, w2.id, 7_952),
        // Switch fees to the hub: W1 14 + 19, W2 7 + 21, W3 15 + 18.
        owes(w1.id, 'hub', 33),
        owes(w2.id, 'hub', 28),
        owes(w3.id, 'hub', 33),
      ].sort(byPair),
    );

    const merchant = (
      wallet: MoneyParticipant,
      payments: number,
      paymentAmount: number,
      refunds: number,
      refundAmount: number,
      merchantDiscount: number,
    ) => ({
      merchantId: wallet.merchantId,
      acquirerId: wallet.id,
      currency: 'CNY',
      payments,
      paymentAmount,
      refunds,
      refundAmount,
      chargebacks: 0,
      chargebackAmount: 0,
      merchantDiscount,
    });
    expect(report.body.merchants).toEqual(
      [
        merchant(w1, 3, 19_595, 0, 0, 294), // 64 + 185 + 45
        merchant(w2, 3, 19_750, 0, 0, 296), // 150 + 120 + 26
        merchant(w3, 4, 14_850, 2, 750, 229), // M3's own: 45 + 28 + 70 + 86; refunds return none
      ].sort((a, b) => (a.merchantId < b.merchantId ? -1 : 1)),
    );
    expect(report.body.counts).toEqual({ transfers: 12, payments: 10, refunds: 2, chargebacks: 0 });
  });

  await step(
    'a participant sees only its own lines, pairs, merchants and counts; the CSV has the same lines',
    async () => {
      const own = await w1.call('GET', `/v1/settlement-windows/${windowId}/report`);
      expect(own.body.lines).toEqual([
        {
          participantId: w1.id,
          currency: 'CNY',
          sent: 20_850,
          received: 19_595,
          feesPaid: 151,
          feesReceived: 125,
          net: -1_281,
        },
      ]);
      expect(
        own.body.bilateral.map((pair: { payerId: string; payeeId: string; amount: number }) => [
          pair.payerId,
          pair.payeeId,
          pair.amount,
        ]),
      ).toEqual(
        expect.arrayContaining([
          [w1.id, w2.id, 4_474],
          [w3.id, w1.id, 3_226],
          [w1.id, 'hub', 33],
        ]),
      );
      expect(own.body.bilateral).toHaveLength(3);
      expect(own.body.merchants.map((row: { merchantId: string }) => row.merchantId)).toEqual([w1.merchantId]);
      expect(own.body.counts).toEqual({ transfers: 7, payments: 7, refunds: 0, chargebacks: 0 });

      const csv = await operator('GET', `/v1/settlement-windows/${windowId}/report.csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const date = payments[0]?.businessDate;
      expect(csv.text).toBe(
        [
          'windowId,businessDate,participantId,currency,sent,received,feesPaid,feesReceived,net',
          `${windowId},${date},${w1.id},CNY,20850,19595,151,125,-1281`,
          `${windowId},${date},${w2.id},CNY,8000,20500,151,49,12398`,
          `${windowId},${date},${w3.id},CNY,26095,14850,93,127,-11211`,
          `${windowId},${date},hub,CNY,0,0,0,94,94`,
          '',
        ].join('\r\n'),
      );
      const ownCsv = await w2.call('GET', `/v1/settlement-windows/${windowId}/report.csv`);
      expect(ownCsv.text.trim().split('\r\n')).toHaveLength(2);
    },
  );

  await step('after settle, positions equal only what the new window holds', async () => {
    // P11 in the new window: W2 pays M1 1 000; I 6, Si 0.5 → 0, + 1, Sa 1, at least 3.
    const p11 = await pay(w2, w1, 1_000);
    expect(p11.windowId).not.toBe(windowId);
    const settled = await operator('POST', `/v1/settlement-windows/${windowId}/settle`);
    expect(settled.status, settled.text).toBe(200);
    expect(settled.body).toMatchObject({ id: windowId, status: 'settled', settledAt: hub.clock.now().toISOString() });
    const positions = await operator('GET', '/v1/positions?currency=CNY&limit=100');
    const of = (wallet: MoneyParticipant) =>
      positions.body.data.find((row: { participantId: string }) => row.participantId === wallet.id)?.position;
    expect([of(w1), of(w2), of(w3)]).toEqual([994 - 3, -(1_000 - 6) - 1, 0]);
    const hubFees = await hub.ctx.db.kysely
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount').as('sum'))
      .where('account', '=', 'hub')
      .executeTakeFirstOrThrow();
    expect(Number(hubFees.sum)).toBe(4);

    const again = await operator('POST', `/v1/settlement-windows/${windowId}/settle`);
    expect(again).toMatchObject({ status: 409, body: { code: 'window_already_settled' } });
    const open = await operator('POST', `/v1/settlement-windows/${p11.windowId}/settle`);
    expect(open).toMatchObject({ status: 422, body: { code: 'window_not_closed' } });
    expect((await operator('GET', `/v1/settlement-windows/${p11.windowId}/report`)).body.code).toBe(
      'window_not_closed',
    );
    expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
  });
});
