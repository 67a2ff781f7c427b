import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signRequest } from '../http/index.ts';
import { type TestHub, type TestParticipant, bearerClient, startTestHub } from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from '../testing/world.ts';

let hub: TestHub;
let acquirer: TestParticipant;
let issuer: TestParticipant;
let merchantA: TestMerchant;
let merchantB: TestMerchant;
let windowId: string;
const payments: { id: string; amount: number; merchant: string; receiptNumber: string }[] = [];
const refunds: { transferId: string; amount: number; merchant: string }[] = [];
const formulaRefs = ['=HYPERLINK("http://x")', '-2+3', '@SUM(A1)'] as const;

async function pay(merchant: TestMerchant, amount: number, ref: string) {
  const checkout = await createCheckout(merchant, {
    amount,
    lines: [{ kind: 'product', name: 'Item', quantity: 1, unitAmount: amount }],
  });
  const paid = await payCheckoutByQr(hub, checkout, issuer, ref);
  expect(paid.status, paid.text).toBe(201);
  payments.push({ id: paid.body.id, amount, merchant: merchant.id, receiptNumber: paid.body.receiptNumber });
  return paid.body;
}

beforeAll(async () => {
  hub = await startTestHub();
  acquirer = await createWallet(hub, 'Acquirer Bank', { roles: ['acquirer'] });
  issuer = await createWallet(hub, 'Issuer Wallet');
  merchantA = await createMerchant(hub, acquirer, { name: 'Shop A' });
  merchantB = await createMerchant(hub, acquirer, { name: 'Shop B' });
  await approveChannel(merchantA, issuer);
  await approveChannel(merchantB, issuer);
  // Payer references a spreadsheet would run as formulas: the statement escapes them, reconciliation still matches.
  await pay(merchantA, 10_000, formulaRefs[0]);
  await pay(merchantA, 2_500, formulaRefs[1]);
  await pay(merchantB, 7_000, formulaRefs[2]);
  const refund = await merchantA.call('POST', '/v1/refunds', {
    transferId: payments[0]!.id,
    amount: 1_000,
    reason: 'return',
  });
  expect(refund.status).toBe(201);
  refunds.push({ transferId: refund.body.transferId, amount: 1_000, merchant: merchantA.id });
  const closed = await bearerClient(hub, hub.operatorToken)('POST', '/v1/settlement-windows/close');
  expect(closed.status, closed.text).toBe(200);
  windowId = closed.body.id;
});
afterAll(async () => hub?.stop());

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));
}

describe('statements', () => {
  test("the issuer's statement for the window is, line for line, the transfers the test made", async () => {
    const csv = await issuer.call('GET', `/v1/statements?windowId=${windowId}&format=csv`);
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual([
      'transferId',
      'receiptNumber',
      'createdAt',
      'businessDate',
      'kind',
      'direction',
      'counterpartyId',
      'merchantId',
      'amount',
      'currency',
      'interchange',
      'switchFee',
      'source',
      'payerRef',
    ]);
    const expected = [
      ...payments.map((payment) => [
        payment.id,
        'payment',
        'debit',
        acquirer.id,
        payment.merchant,
        String(payment.amount),
      ]),
      ...refunds.map((refund) => [
        refund.transferId,
        'refund',
        'credit',
        acquirer.id,
        refund.merchant,
        String(refund.amount),
      ]),
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
    expect(rows.map((row) => [row[0], row[4], row[5], row[6], row[7], row[8]])).toEqual(expected);
    const payerRefOf = (id: string) => rows.find((row) => row[0] === id)?.[13];
    expect(payments.map((payment) => payerRefOf(payment.id))).toEqual([
      `"'=HYPERLINK(""http://x"")"`,
      "'-2+3",
      "'@SUM(A1)",
    ]);
    const json = await issuer.call('GET', `/v1/statements?windowId=${windowId}`);
    expect(json.body.data).toHaveLength(4);
    const jsonRefs = payments.map(
      (payment) => json.body.data.find((line: { transferId: string }) => line.transferId === payment.id)?.payerRef,
    );
    expect(jsonRefs, 'JSON says the reference as it was given').toEqual(formulaRefs);
    expect(json.body.data[0].businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("the acquirer's per-merchant summary matches hand-computed figures", async () => {
    const summary = await acquirer.call('GET', `/v1/statements?windowId=${windowId}&groupBy=merchant`);
    expect(summary.status).toBe(200);
    const byMerchant = Object.fromEntries(
      summary.body.data.map((row: { merchantId: string }) => [row.merchantId, row]),
    );
    expect(byMerchant[merchantA.id]).toMatchObject({
      currency: 'CNY',
      payments: 2,
      refundCount: 1,
      gross: 12_500,
      refunds: 1_000,
    });
    expect(byMerchant[merchantA.id].net).toBe(12_500 - 1_000 - byMerchant[merchantA.id].merchantDiscount);
    expect(byMerchant[merchantB.id]).toMatchObject({ payments: 1, gross: 7_000, refunds: 0 });
  });

  test('a window or a first date is required; another participant sees only its own', async () => {
    expect(await issuer.call('GET', '/v1/statements')).toMatchObject({
      status: 400,
      body: { code: 'invalid_request' },
    });
    const stranger = await createWallet(hub, 'Stranger');
    const theirs = await stranger.call('GET', `/v1/statements?windowId=${windowId}`);
    expect(theirs.body.data).toEqual([]);
  });
});

/** Uploads CSV signed by the participant. */
async function upload(participant: TestParticipant, csv: string) {
  const url = `${hub.url}/v1/reconciliations?windowId=${windowId}`;
  const headers: Record<string, string> = { 'content-type': 'text/csv', 'idempotency-key': `rec-${Math.random()}` };
  const signature = await signRequest(
    { method: 'POST', url, headers, body: csv },
    { keyId: participant.keyId, privateKey: participant.privateKey, now: () => hub.clock.now() },
  );
  const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signature }, body: csv });
  return { status: response.status, body: (await response.json()) as any };
}

describe('reconciliation', () => {
  test("the issuer's own statement reconciles fully", async () => {
    const statement = await issuer.call('GET', `/v1/statements?windowId=${windowId}&format=csv`);
    const result = await upload(issuer, `\uFEFF${statement.text}`);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    expect(result.body.counts).toEqual({
      lines: 4,
      matched: 4,
      missingAtHub: 0,
      missingAtParticipant: 0,
      mismatched: 0,
      malformed: 0,
    });
  });

  test('one missing, one extra, one wrong amount and a broken line: exactly those are reported', async () => {
    const [first, second, third] = payments as [(typeof payments)[0], (typeof payments)[0], (typeof payments)[0]];
    const csv = [
      'transferId,amount,currency,direction,note',
      `${first.id},${first.amount},CNY,debit,"quoted, with a comma"`,
      `${second.id},${second.amount + 1},CNY,debit,wrong amount`,
      'trf_not_at_hub,500,CNY,debit,extra',
      `${third.id},12.5x,CNY,debit,broken`,
    ].join('\n');
    const result = await upload(issuer, csv);
    expect(result.status).toBe(201);
    expect(result.body.counts).toEqual({
      lines: 4,
      matched: 1,
      missingAtHub: 1,
      missingAtParticipant: 2,
      mismatched: 1,
      malformed: 1,
    });
    expect(result.body.missingAtHub.data).toEqual([
      { line: 4, transferId: 'trf_not_at_hub', direction: 'debit', participantValue: '500' },
    ]);
    expect(result.body.mismatched.data).toEqual([
      {
        line: 3,
        transferId: second.id,
        direction: 'debit',
        field: 'amount',
        participantValue: String(second.amount + 1),
        hubValue: String(second.amount),
      },
    ]);
    expect(result.body.malformed.data).toEqual([
      { line: 5, transferId: null, direction: null, error: 'amount "12.5x" is not an integer in minor units' },
    ]);
    expect(result.body.missingAtParticipant.data.map((item: { transferId: string }) => item.transferId).sort()).toEqual(
      [third.id, refunds[0]!.transferId].sort(),
    );

    const again = await issuer.call('GET', `/v1/reconciliations/${result.body.id}`);
    expect(again.body.counts).toEqual(result.body.counts);
    const paged = await issuer.call(
      'GET',
      `/v1/reconciliations/${result.body.id}/items?kind=missing_at_participant&limit=1`,
    );
    expect(paged.body.data).toHaveLength(1);
    const rest = await issuer.call(
      'GET',
      `/v1/reconciliations/${result.body.id}/items?kind=missing_at_participant&limit=1` +
        `&after=${encodeURIComponent(paged.body.nextCursor)}`,
    );
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
  });

  test('a header without the required columns is refused as a whole', async () => {
    const result = await upload(issuer, 'transferId,amount\ntrf_1,100\n');
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('invalid_request');
  });

  test('the operator sees the latest result per participant and window; the acquirer has not reconciled', async () => {
    const list = await bearerClient(hub, hub.operatorToken)('GET', '/v1/reconciliations');
    const forIssuer = list.body.data.filter((row: { participantId: string }) => row.participantId === issuer.id);
    expect(forIssuer).toHaveLength(1);
    expect(forIssuer[0].counts.mismatched).toBe(1);
    expect(list.body.data.some((row: { participantId: string }) => row.participantId === acquirer.id)).toBe(false);
    const other = await acquirer.call('GET', `/v1/reconciliations/${forIssuer[0].id}`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
  });
});
