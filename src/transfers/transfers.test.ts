import { paymentOf } from './payment-input.test-support.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { LedgerInvariantError, checkLedger, positionView } from '../ledger/index.ts';
import { type Minor, minor } from '../money/index.ts';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import {
  type MoneyParticipant,
  createMoneyParticipant,
  setLimits,
  withConcurrentContext,
} from '../ledger/fixtures.test-support.ts';
import {
  type PaymentInput,
  commitReservation,
  findTransfer,
  findTransferByPayerRef,
  isPayerRefConflict,
  isValidReceiptNumber,
  postPayment,
  postRefund,
  releaseReservation,
  reservePayment,
  transferJson,
} from './index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

function pay(input: PaymentInput) {
  return inTransaction(hub.ctx.db, (tx) => postPayment(hub.ctx, tx, input));
}

async function positionOf(participant: MoneyParticipant, currency = 'CNY') {
  const view = await positionView(hub.ctx.db.kysely, participant.id, currency);
  return { position: view.position, reserved: view.reserved, headroom: view.headroom };
}

async function entriesOf(transferId: string) {
  return hub.ctx.db.kysely
    .selectFrom('ledger_entries')
    .select(['account', 'amount'])
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute();
}

describe('postPayment', () => {
  test(
    'posts a committed transfer with a Luhn receipt number and balanced entries that move both ' + 'positions',
    async () => {
      const issuer = await createMoneyParticipant(hub);
      const acquirer = await createMoneyParticipant(hub);
      await setLimits(hub, issuer.id, 'CNY', 10_000);
      const posted = await pay(paymentOf(issuer, acquirer, 2_500, { checkoutId: 'chk_1', payerRef: 'wallet-tx-1' }));
      if (!posted.ok) throw new Error(posted.detail);
      const transfer = posted.value;
      expect(transfer).toMatchObject({
        kind: 'payment',
        status: 'committed',
        amount: 2_500,
        currency: 'CNY',
        payerParticipantId: issuer.id,
        payeeParticipantId: acquirer.id,
        merchantId: acquirer.merchantId,
        checkoutId: 'chk_1',
        payerRef: 'wallet-tx-1',
        source: 'checkout',
        paymentTransferId: null,
        refundedAmount: 0,
        onUs: false,
        fees: { interchange: 0, issuerSwitchFee: 0, acquirerSwitchFee: 0, merchantDiscount: 0 },
        windowId: expect.stringMatching(/^win_/),
        businessDate: hub.clock.now().toISOString().slice(0, 10),
        createdAt: hub.clock.now().toISOString(),
        committedAt: hub.clock.now().toISOString(),
        releasedAt: null,
      });
      expect(transfer.id).toMatch(/^trf_/);
      expect(isValidReceiptNumber(transfer.receiptNumber)).toBe(true);
      expect(await entriesOf(transfer.id)).toEqual([
        { account: issuer.id, amount: -2_500 },
        { account: acquirer.id, amount: 2_500 },
      ]);
      expect(await positionOf(issuer)).toEqual({ position: -2_500, reserved: 0, headroom: 7_500 });
      expect(await positionOf(acquirer)).toEqual({ position: 2_500, reserved: 0, headroom: 2_500 });
      expect(await findTransfer(hub.ctx.db.kysely, transfer.id)).toEqual(transfer);
    },
  );

  test('an on-us payment (payer = payee) needs no headroom and leaves the position where it was', async () => {
    const both = await createMoneyParticipant(hub);
    const posted = await pay(paymentOf(both, both, 900));
    if (!posted.ok) throw new Error(posted.detail);
    expect(posted.value.onUs).toBe(true);
    expect(await entriesOf(posted.value.id)).toEqual([
      { account: both.id, amount: -900 },
      { account: both.id, amount: 900 },
    ]);
    expect(await positionOf(both)).toEqual({ position: 0, reserved: 0, headroom: 0 });
  });

  test('an amount that is not a positive safe integer is a programmer error', async () => {
    const issuer = await createMoneyParticipant(hub);
    for (const amount of [0, -5, 1.5]) {
      await expect(pay(paymentOf(issuer, issuer, 1, { amount: amount as Minor }))).rejects.toThrow(
        LedgerInvariantError,
      );
    }
  });
});

type BoundaryRow = {
  name: string;
  cap: number;
  prefunding: number;
  /** Before the attempt: a payment made (negative) or received (positive), and an amount reserved. */
  moved: number;
  reserved: number;
  amount: number;
  accepted: boolean;
};

// Headroom = cap + prefunding + position - reserved; exactly the headroom fits, one minor unit more does not.
const boundaryRows: BoundaryRow[] = [
  { name: 'no limits at all: nothing fits', cap: 0, prefunding: 0, moved: 0, reserved: 0, amount: 1, accepted: false },
  {
    name: 'cap alone, one unit over',
    cap: 1_000,
    prefunding: 0,
    moved: 0,
    reserved: 0,
    amount: 1_001,
    accepted: false,
  },
  {
    name: 'cap alone, exactly at headroom',
    cap: 1_000,
    prefunding: 0,
    moved: 0,
    reserved: 0,
    amount: 1_000,
    accepted: true,
  },
  {
    name: 'cap and prefunding, one unit over',
    cap: 600,
    prefunding: 400,
    moved: 0,
    reserved: 0,
    amount: 1_001,
    accepted: false,
  },
  {
    name: 'cap and prefunding, exactly at headroom',
    cap: 600,
    prefunding: 400,
    moved: 0,
    reserved: 0,
    amount: 1_000,
    accepted: true,
  },
  {
    name: 'after an earlier debit, one unit over',
    cap: 1_000,
    prefunding: 0,
    moved: -300,
    reserved: 0,
    amount: 701,
    accepted: false,
  },
  {
    name: 'after an earlier debit, exactly at headroom',
    cap: 1_000,
    prefunding: 0,
    moved: -300,
    reserved: 0,
    amount: 700,
    accepted: true,
  },
  {
    name: 'with a reservation, one unit over',
    cap: 1_000,
    prefunding: 0,
    moved: 0,
    reserved: 200,
    amount: 801,
    accepted: false,
  },
  {
    name: 'with a reservation, exactly at headroom',
    cap: 1_000,
    prefunding: 0,
    moved: 0,
    reserved: 200,
    amount: 800,
    accepted: true,
  },
  {
    name: 'no cap but money received, one unit over',
    cap: 0,
    prefunding: 0,
    moved: 500,
    reserved: 0,
    amount: 501,
    accepted: false,
  },
  {
    name: 'no cap but money received, exactly at headroom',
    cap: 0,
    prefunding: 0,
    moved: 500,
    reserved: 0,
    amount: 500,
    accepted: true,
  },
];

describe('the net debit cap at its boundary', () => {
  test.each(boundaryRows)('$name', async (row) => {
    const payer = await createMoneyParticipant(hub);
    const counterpart = await createMoneyParticipant(hub);
    await setLimits(hub, counterpart.id, 'CNY', 1_000_000);
    if (row.cap > 0 || row.prefunding > 0) await setLimits(hub, payer.id, 'CNY', row.cap, row.prefunding);
    if (row.moved < 0) expect((await pay(paymentOf(payer, counterpart, -row.moved))).ok).toBe(true);
    if (row.moved > 0) expect((await pay(paymentOf(counterpart, payer, row.moved))).ok).toBe(true);
    if (row.reserved > 0)
      expect(
        (
          await inTransaction(hub.ctx.db, (tx) =>
            reservePayment(hub.ctx, tx, paymentOf(payer, counterpart, row.reserved)),
          )
        ).ok,
      ).toBe(true);
    const before = await positionOf(payer);

    const result = await pay(paymentOf(payer, counterpart, row.amount));

    expect(result.ok).toBe(row.accepted);
    if (result.ok) {
      expect(await positionOf(payer)).toEqual({
        position: before.position - row.amount,
        reserved: before.reserved,
        headroom: 0,
      });
    } else {
      expect(result.code).toBe('limit_exceeded');
      expect(await positionOf(payer)).toEqual(before);
    }
  });
});

describe('reservations', () => {
  test(
    'a reservation counts against the cap, posts nothing, and its commit owes the amount without moving ' + 'headroom',
    async () => {
      const issuer = await createMoneyParticipant(hub);
      const acquirer = await createMoneyParticipant(hub);
      await setLimits(hub, issuer.id, 'CNY', 1_000);
      const reserved = await inTransaction(hub.ctx.db, (tx) =>
        reservePayment(hub.ctx, tx, paymentOf(issuer, acquirer, 600, { source: 'payment_code' })),
      );
      if (!reserved.ok) throw new Error(reserved.detail);
      expect(reserved.value).toMatchObject({
        status: 'reserved',
        committedAt: null,
        source: 'payment_code',
        windowId: null,
        businessDate: null,
      });
      expect(await entriesOf(reserved.value.id)).toEqual([]);
      expect(await positionOf(issuer)).toEqual({ position: 0, reserved: 600, headroom: 400 });

      const tooMuch = await pay(paymentOf(issuer, acquirer, 401));
      expect(tooMuch.ok || tooMuch.code).toBe('limit_exceeded');

      hub.clock.advanceMs(1_000);
      const committed = await inTransaction(hub.ctx.db, (tx) => commitReservation(hub.ctx, tx, reserved.value.id));
      expect(committed).toMatchObject({
        status: 'committed',
        committedAt: hub.clock.now().toISOString(),
        receiptNumber: reserved.value.receiptNumber,
        windowId: expect.stringMatching(/^win_/),
      });
      expect(await positionOf(issuer)).toEqual({ position: -600, reserved: 0, headroom: 400 });
      expect(await positionOf(acquirer)).toMatchObject({ position: 600 });
      expect(await entriesOf(reserved.value.id)).toHaveLength(2);

      await expect(
        inTransaction(hub.ctx.db, (tx) => commitReservation(hub.ctx, tx, reserved.value.id)),
      ).rejects.toThrow(/a committed transfer .* cannot commit/);
      await expect(
        inTransaction(hub.ctx.db, (tx) => releaseReservation(hub.ctx, tx, reserved.value.id)),
      ).rejects.toThrow(LedgerInvariantError);
    },
  );

  test('a released reservation gives its headroom back and is never posted', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 1_000);
    const reserved = await inTransaction(hub.ctx.db, (tx) =>
      reservePayment(hub.ctx, tx, paymentOf(issuer, acquirer, 1_000)),
    );
    if (!reserved.ok) throw new Error(reserved.detail);
    const over = await inTransaction(hub.ctx.db, (tx) => reservePayment(hub.ctx, tx, paymentOf(issuer, acquirer, 1)));
    expect(over.ok || over.code).toBe('limit_exceeded');

    const released = await inTransaction(hub.ctx.db, (tx) => releaseReservation(hub.ctx, tx, reserved.value.id));
    expect(released).toMatchObject({
      status: 'released',
      releasedAt: hub.clock.now().toISOString(),
      committedAt: null,
    });
    expect(await positionOf(issuer)).toEqual({ position: 0, reserved: 0, headroom: 1_000 });
    expect(await entriesOf(reserved.value.id)).toEqual([]);
    await expect(inTransaction(hub.ctx.db, (tx) => commitReservation(hub.ctx, tx, reserved.value.id))).rejects.toThrow(
      /a released transfer .* cannot commit/,
    );
  });
});

describe('refunds', () => {
  test('partial refunds up to the paid amount, each its own transfer back; the refusals in their order', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    const paid = await pay(paymentOf(issuer, acquirer, 1_000));
    if (!paid.ok) throw new Error(paid.detail);
    const refund = (amount: number, paymentTransferId = paid.value.id) =>
      inTransaction(hub.ctx.db, (tx) => postRefund(hub.ctx, tx, { paymentTransferId, amount: minor(amount) }));

    const first = await refund(300);
    if (!first.ok) throw new Error(first.detail);
    expect(first.value).toMatchObject({
      kind: 'refund',
      status: 'committed',
      source: 'refund',
      amount: 300,
      payerParticipantId: acquirer.id,
      payeeParticipantId: issuer.id,
      merchantId: acquirer.merchantId,
      paymentTransferId: paid.value.id,
    });
    expect(first.value.receiptNumber).not.toBe(paid.value.receiptNumber);
    expect(await entriesOf(first.value.id)).toEqual([
      { account: acquirer.id, amount: -300 },
      { account: issuer.id, amount: 300 },
    ]);
    expect((await refund(700)).ok).toBe(true);
    expect(await findTransfer(hub.ctx.db.kysely, paid.value.id)).toMatchObject({ refundedAmount: 1_000 });
    expect(await positionOf(issuer)).toMatchObject({ position: 0 });
    expect(await positionOf(acquirer)).toMatchObject({ position: 0 });

    const exceeds = await refund(1);
    expect(exceeds).toMatchObject({ ok: false, code: 'refund_exceeds_remaining', extra: { remaining: 0 } });
    expect(await refund(1, first.value.id)).toMatchObject({ ok: false, code: 'payment_not_refundable' });
    expect(await refund(1, 'trf_missing')).toMatchObject({ ok: false, code: 'payment_not_refundable' });
  });

  test("a refund is checked against the acquirer's headroom", async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    await setLimits(hub, acquirer.id, 'CNY', 10_000);
    const paid = await pay(paymentOf(issuer, acquirer, 1_000));
    if (!paid.ok) throw new Error(paid.detail);
    // The acquirer spends what it received and its whole cap.
    const spend = await pay(paymentOf(acquirer, issuer, 11_000));
    expect(spend.ok).toBe(true);
    const refused = await inTransaction(hub.ctx.db, (tx) =>
      postRefund(hub.ctx, tx, { paymentTransferId: paid.value.id, amount: minor(1) }),
    );
    expect(refused).toMatchObject({ ok: false, code: 'limit_exceeded' });
    expect(await findTransfer(hub.ctx.db.kysely, paid.value.id)).toMatchObject({ refundedAmount: 0 });
  });

  test('concurrent partial refunds of one payment never return more than was paid', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    await setLimits(hub, acquirer.id, 'CNY', 10_000);
    const paid = await pay(paymentOf(issuer, acquirer, 1_000));
    if (!paid.ok) throw new Error(paid.detail);
    const attempts = await withConcurrentContext(hub, (ctx) =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          inTransaction(ctx.db, (tx) => postRefund(ctx, tx, { paymentTransferId: paid.value.id, amount: minor(100) })),
        ),
      ),
    );
    expect(attempts.filter((attempt) => attempt.ok)).toHaveLength(10);
    expect(attempts.filter((attempt) => !attempt.ok).map((attempt) => !attempt.ok && attempt.code)).toEqual(
      Array(10).fill('refund_exceeds_remaining'),
    );
    expect(await findTransfer(hub.ctx.db.kysely, paid.value.id)).toMatchObject({ refundedAmount: 1_000 });
  });
});

describe('payer references', () => {
  test('a payer ref is unique per payer forever: the conflict is recognised and the original found', async () => {
    const issuer = await createMoneyParticipant(hub);
    const other = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    await setLimits(hub, other.id, 'CNY', 10_000);
    const original = await pay(paymentOf(issuer, acquirer, 100, { payerRef: 'ref-7' }));
    if (!original.ok) throw new Error(original.detail);

    const repeat = await pay(paymentOf(issuer, acquirer, 100, { payerRef: 'ref-7' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPayerRefConflict(repeat)).toBe(true);
    expect(isPayerRefConflict(new Error('UNIQUE constraint failed: transfers.receipt_number'))).toBe(false);
    expect(await findTransferByPayerRef(hub.ctx.db.kysely, issuer.id, 'ref-7')).toEqual(original.value);
    expect(await positionOf(issuer)).toMatchObject({ position: -100 });

    const sameRefOtherPayer = await pay(paymentOf(other, acquirer, 100, { payerRef: 'ref-7' }));
    expect(sameRefOtherPayer.ok).toBe(true);
    expect(await findTransferByPayerRef(hub.ctx.db.kysely, issuer.id, 'ref-missing')).toBeUndefined();
  });

  test('a receipt number that is already taken is drawn again', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    const first = await pay(paymentOf(issuer, acquirer, 10));
    if (!first.ok) throw new Error(first.detail);
    // Replays the first payment's receipt draw once, then hands out fresh bytes.
    const takenDraw = Buffer.alloc(5);
    takenDraw.writeUIntBE(Number(first.value.receiptNumber.slice(0, 11)), 0, 5);
    let replayed = false;
    const random = {
      bytes: (length: number) => {
        if (length === 5 && !replayed) {
          replayed = true;
          return Buffer.from(takenDraw);
        }
        return hub.ctx.random.bytes(length);
      },
    };
    const second = await inTransaction(hub.ctx.db, (tx) =>
      postPayment({ ...hub.ctx, random }, tx, paymentOf(issuer, acquirer, 10)),
    );
    if (!second.ok) throw new Error(second.detail);
    expect(replayed).toBe(true);
    expect(second.value.receiptNumber).not.toBe(first.value.receiptNumber);
    expect(isValidReceiptNumber(second.value.receiptNumber)).toBe(true);
  });
});

describe('concurrency', () => {
  test(
    '200 concurrent payments against a cap that fits 100: exactly 100 commit and the cap is never ' + 'passed',
    async () => {
      const issuer = await createMoneyParticipant(hub);
      const acquirer = await createMoneyParticipant(hub);
      const amount = 250;
      await setLimits(hub, issuer.id, 'CNY', 100 * amount);
      const results = await withConcurrentContext(hub, (ctx) =>
        Promise.all(
          Array.from({ length: 200 }, () =>
            inTransaction(ctx.db, (tx) => postPayment(ctx, tx, paymentOf(issuer, acquirer, amount))),
          ),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(100);
      expect(results.filter((result) => !result.ok && result.code === 'limit_exceeded')).toHaveLength(100);
      expect(await positionOf(issuer)).toEqual({ position: -100 * amount, reserved: 0, headroom: 0 });
      expect(await positionOf(acquirer)).toMatchObject({ position: 100 * amount });
      const receipts = new Set(results.flatMap((result) => (result.ok ? [result.value.receiptNumber] : [])));
      expect(receipts.size).toBe(100);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    },
  );
});

const feedWaitMs = 5_000;
const feedPollMs = 25;

/**
 * The acquirer's transfer.committed events once `count` are in. On
 * PostgreSQL the feed shows an event only when no older transaction is
 * still running anywhere on the server, so the test polls, bounded.
 */
async function committedEvents(participant: MoneyParticipant, count: number): Promise<{ id: string; data: unknown }[]> {
  const deadline = Date.now() + feedWaitMs;
  for (;;) {
    const feed = await participant.call('GET', '/v1/events?types=transfer.committed&limit=100');
    if (feed.body.data.length >= count || Date.now() > deadline) return feed.body.data;
    await new Promise((done) => setTimeout(done, feedPollMs));
  }
}

describe('events', () => {
  test(
    'a committed payment, posted at once or committed from a reservation, tells its acquirer in ' +
      'transfer.committed',
    async () => {
      const issuer = await createMoneyParticipant(hub);
      const acquirer = await createMoneyParticipant(hub);
      await setLimits(hub, issuer.id, 'CNY', 10_000);
      const posted = await pay(paymentOf(issuer, acquirer, 1_250));
      const reserved = await inTransaction(hub.ctx.db, (tx) =>
        reservePayment(hub.ctx, tx, paymentOf(issuer, acquirer, 300, { source: 'payment_code' })),
      );
      if (!posted.ok || !reserved.ok) throw new Error('setup failed');
      const [first] = await committedEvents(acquirer, 1);
      expect(first?.data).toEqual(transferJson(posted.value));

      const committed = await inTransaction(hub.ctx.db, (tx) => commitReservation(hub.ctx, tx, reserved.value.id));
      const events = await committedEvents(acquirer, 2);
      expect(events.map((event) => event.data)).toEqual([transferJson(posted.value), transferJson(committed)]);
      expect(await issuer.call('GET', `/v1/events/${first?.id}`)).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
    },
  );
});

describe('GET /v1/transfers', () => {
  test('the two participants and the operator see a transfer; anyone else gets 404', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    const stranger = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    const paid = await pay(paymentOf(issuer, acquirer, 1_999, { payerRef: 'visible-1', checkoutId: 'chk_visible' }));
    if (!paid.ok) throw new Error(paid.detail);
    const expected = {
      id: paid.value.id,
      kind: 'payment',
      status: 'committed',
      receiptNumber: paid.value.receiptNumber,
      amount: 1_999,
      currency: 'CNY',
      payerParticipantId: issuer.id,
      payeeParticipantId: acquirer.id,
      merchantId: acquirer.merchantId,
      checkoutId: 'chk_visible',
      payerRef: 'visible-1',
      source: 'checkout',
      paymentTransferId: null,
      refundedAmount: 0,
      onUs: false,
      fees: { interchange: 0, issuerSwitchFee: 0, acquirerSwitchFee: 0, merchantDiscount: 0 },
      windowId: paid.value.windowId,
      businessDate: paid.value.businessDate,
      createdAt: paid.value.createdAt,
      committedAt: paid.value.createdAt,
      releasedAt: null,
    };
    for (const reader of [issuer.call, acquirer.call, operator]) {
      const read = await reader('GET', `/v1/transfers/${paid.value.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(expected);
    }
    const hidden = await stranger.call('GET', `/v1/transfers/${paid.value.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('not_found');
    expect(await issuer.call('GET', '/v1/transfers/trf_nothing')).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    const merchantKey = (await acquirer.call('POST', `/v1/merchants/${acquirer.merchantId}/rotate-key`)).body.secretKey;
    expect(await bearerClient(hub, merchantKey)('GET', `/v1/transfers/${paid.value.id}`)).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });

  test('lists by payer ref for its participants only, and pages in creation order', async () => {
    const issuer = await createMoneyParticipant(hub);
    const acquirer = await createMoneyParticipant(hub);
    const stranger = await createMoneyParticipant(hub);
    await setLimits(hub, issuer.id, 'CNY', 10_000);
    const ids: string[] = [];
    for (const ref of ['list-a', 'list-b', 'list-c']) {
      const paid = await pay(paymentOf(issuer, acquirer, 10, { payerRef: ref }));
      if (!paid.ok) throw new Error(paid.detail);
      ids.push(paid.value.id);
    }
    const byRef = await issuer.call('GET', '/v1/transfers?payerRef=list-b');
    expect(byRef.body).toEqual({
      data: [expect.objectContaining({ id: ids[1], payerRef: 'list-b' })],
      nextCursor: null,
    });
    expect(
      (await acquirer.call('GET', '/v1/transfers?payerRef=list-b')).body.data.map((row: { id: string }) => row.id),
    ).toEqual([ids[1]]);
    expect((await stranger.call('GET', '/v1/transfers?payerRef=list-b')).body).toEqual({ data: [], nextCursor: null });

    const firstPage = await acquirer.call('GET', '/v1/transfers?limit=2');
    expect(firstPage.body.data.map((row: { id: string }) => row.id)).toEqual(ids.slice(0, 2));
    expect(firstPage.body.nextCursor).toBe(ids[1]);
    const secondPage = await acquirer.call('GET', `/v1/transfers?limit=2&after=${firstPage.body.nextCursor}`);
    expect(secondPage.body).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    const all = await operator('GET', '/v1/transfers?limit=100');
    expect(all.body.data.length).toBeGreaterThanOrEqual(3);
  });
});
