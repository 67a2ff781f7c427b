/**
 * A seeded random mix of payments, refunds and disputes down every path,
 * held against a simple model: the report's and the statement's
 * `chargebacks` per merchant, the refunds beside them, the dispute figures
 * each party sees, and a clean ledger check. A failure replays from the seed it prints.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { minor, mulDivHalfEven } from '../money/index.ts';
import { seededPrng } from '../platform/index.ts';
import { type TestHub, type TestParticipant, bearerClient, ledgerCheckOf, startTestHub } from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from '../testing/world.ts';

const seed = Number(process.env.LINTAS_DISPUTE_MIX_SEED ?? 22);
const paymentsCount = 24;
const dayMs = 24 * 60 * 60 * 1000;
const paths = ['accept', 'deadline', 'withdraw', 'rule_issuer', 'rule_acquirer', 'none'] as const;

let hub: TestHub;
let acquirer: TestParticipant;
let wallets: TestParticipant[];
let merchants: TestMerchant[];
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  acquirer = await createWallet(hub, 'Mix Acquirer', { roles: ['issuer', 'acquirer'] });
  wallets = [await createWallet(hub, 'Mix Wallet A'), await createWallet(hub, 'Mix Wallet B')];
  merchants = [
    await createMerchant(hub, acquirer, { name: 'Mix Shop A' }),
    await createMerchant(hub, acquirer, { name: 'Mix Shop B' }),
  ];
  for (const merchant of merchants) for (const wallet of wallets) await approveChannel(merchant, wallet);
  const schedule = await operator('PUT', '/v1/fee-schedules/CNY', {
    interchange: { bps: 70 },
    issuerSwitchFee: { bps: 5, fixedAmount: 1 },
    acquirerSwitchFee: { bps: 10 },
    merchantDiscount: { bps: 150 },
    arbitrationFee: { bps: 100, fixedAmount: 100 },
  });
  expect(schedule.status, schedule.text).toBe(200);
});
afterAll(async () => {
  await hub?.stop();
});

type Tally = { refunds: number; chargebacks: number; chargebackCount: number };
/** What the figures must say of a merchant: won and lost from the acquirer's side. */
type Figures = { disputes: number; won: number; lost: number; payments: number };

async function ok(answer: Promise<{ status: number; text: string; body: any }>, status = 200) {
  const settled = await answer;
  expect(settled.status, `seed ${seed}: ${settled.text}`).toBe(status);
  return settled.body;
}

/** Walks one dispute down its path now; a deadline path is left open for the clock. */
async function walk(path: (typeof paths)[number], id: string, merchant: TestMerchant, wallet: TestParticipant) {
  if (path === 'accept') return ok(merchant.call('POST', `/v1/disputes/${id}/accept`, {}));
  if (path === 'deadline') return undefined;
  await ok(acquirer.call('POST', `/v1/disputes/${id}/contest`, { note: 'delivered' }));
  if (path === 'withdraw') return ok(wallet.call('POST', `/v1/disputes/${id}/withdraw`, {}));
  await ok(wallet.call('POST', `/v1/disputes/${id}/escalate`, { note: 'not signed' }));
  const winner = path === 'rule_issuer' ? 'issuer' : 'acquirer';
  return ok(operator('POST', `/v1/disputes/${id}/rule`, { winner, reason: 'arbitration', note: 'ruled' }));
}

describe(`a seeded mix of payments, refunds and disputes (seed ${seed})`, () => {
  test('the report and statement chargebacks match the model; the ledger check is clean', async () => {
    const prng = seededPrng(seed);
    const tally = new Map<string, Tally>(
      merchants.map((m) => [m.id, { refunds: 0, chargebacks: 0, chargebackCount: 0 }]),
    );
    const awaitingClock: { merchantId: string; amount: number }[] = [];
    const figures = new Map<string, Figures>(
      merchants.map((m) => [m.id, { disputes: 0, won: 0, lost: 0, payments: 0 }]),
    );
    const periodFrom = hub.clock.now().toISOString();
    for (let index = 0; index < paymentsCount; index += 1) {
      const merchant = prng.pick(merchants);
      const wallet = prng.pick(wallets);
      const amount = prng.between(100, 20_000);
      const checkout = await createCheckout(merchant, {
        amount,
        lines: [{ kind: 'product', name: 'Item', quantity: 1, unitAmount: amount }],
      });
      const paid = await ok(payCheckoutByQr(hub, checkout, wallet, `mix-${seed}-${index}`), 201);
      const own = tally.get(merchant.id)!;
      const counted = figures.get(merchant.id)!;
      counted.payments += 1;
      let left = amount;
      if (prng.chance(0.4)) {
        const refund = prng.between(1, left);
        await ok(merchant.call('POST', '/v1/refunds', { transferId: paid.id, amount: refund, reason: 'mix' }), 201);
        own.refunds += refund;
        left -= refund;
      }
      const path = prng.pick(paths);
      if (path === 'none' || left === 0) continue;
      const claimed = prng.between(1, left);
      const reason = prng.pick(['not_received', 'not_as_described', 'amount_differs', 'unauthorised']);
      const dispute = await ok(
        wallet.call('POST', '/v1/disputes', { transferId: paid.id, reason, amount: claimed, note: 'mix' }),
        201,
      );
      await walk(path, dispute.id, merchant, wallet);
      counted.disputes += 1;
      const acquirerLoses =
        path === 'accept' || path === 'rule_issuer' || (path === 'deadline' && reason !== 'unauthorised');
      if (acquirerLoses) counted.lost += 1;
      else counted.won += 1;
      // The default liability rules put an unanswered unauthorised dispute on the issuer: nothing is charged back.
      if (path === 'deadline' && reason !== 'unauthorised')
        awaitingClock.push({ merchantId: merchant.id, amount: claimed });
      if (path === 'accept' || path === 'rule_issuer') {
        own.chargebacks += claimed;
        own.chargebackCount += 1;
      }
    }
    hub.clock.advanceMs(10 * dayMs);
    await hub.workers['dispute-deadlines']?.runOnce();
    for (const { merchantId, amount } of awaitingClock) {
      const own = tally.get(merchantId)!;
      own.chargebacks += amount;
      own.chargebackCount += 1;
    }
    await ok(operator('POST', '/v1/settlement-windows/close'));

    const windows = (await ok(operator('GET', '/v1/settlement-windows?limit=100'))).data as {
      id: string;
      status: string;
    }[];
    const reported = new Map<string, Tally>();
    for (const window of windows.filter((candidate) => candidate.status !== 'open')) {
      const report = await ok(operator('GET', `/v1/settlement-windows/${window.id}/report`));
      const nets = (report.lines as { net: number }[]).reduce((sum, line) => sum + line.net, 0);
      expect(nets, `seed ${seed}: the nets of window ${window.id} sum to zero`).toBe(0);
      for (const line of report.merchants as any[]) {
        const sum = reported.get(line.merchantId) ?? { refunds: 0, chargebacks: 0, chargebackCount: 0 };
        sum.refunds += line.refundAmount;
        sum.chargebacks += line.chargebackAmount;
        sum.chargebackCount += line.chargebacks;
        reported.set(line.merchantId, sum);
      }
    }
    const statement = await ok(acquirer.call('GET', '/v1/statements?from=2000-01-01&groupBy=merchant'));
    for (const merchant of merchants) {
      const expected = tally.get(merchant.id)!;
      expect(reported.get(merchant.id) ?? { refunds: 0, chargebacks: 0, chargebackCount: 0 }, `seed ${seed}`).toEqual(
        expected,
      );
      const summary = statement.data.find((row: { merchantId: string }) => row.merchantId === merchant.id);
      expect(summary, `seed ${seed}`).toMatchObject({
        refunds: expected.refunds,
        chargebacks: expected.chargebacks,
        chargebackCount: expected.chargebackCount,
      });
      expect(summary.net).toBe(summary.gross - summary.refunds - summary.chargebacks - summary.merchantDiscount);
    }
    const chargebacksSeen = [...tally.values()].reduce((sum, own) => sum + own.chargebackCount, 0);
    expect(chargebacksSeen, `seed ${seed}: the mix charged something back`).toBeGreaterThan(0);
    const period = `from=${periodFrom}&to=${hub.clock.now().toISOString()}`;
    const all = (await ok(operator('GET', `/v1/dispute-figures?${period}`))).data as any[];
    for (const merchant of merchants) {
      const row = all.find((candidate) => candidate.role === 'merchant' && candidate.id === merchant.id);
      const expected = figures.get(merchant.id)!;
      expect(row, `seed ${seed}`).toMatchObject({ ...expected, open: 0, acquirerId: acquirer.id });
      expect(row.disputesPer10kPayments).toBe(mulDivHalfEven(minor(expected.disputes), 10_000, expected.payments));
    }
    const acquirerRow = all.find((candidate) => candidate.role === 'acquirer' && candidate.id === acquirer.id);
    const disputesTotal = [...figures.values()].reduce((sum, counted) => sum + counted.disputes, 0);
    expect(acquirerRow).toMatchObject({ disputes: disputesTotal, payments: paymentsCount });
    const issuerRows = all.filter((candidate) => candidate.role === 'issuer');
    expect(issuerRows.reduce((sum, row) => sum + row.disputes, 0)).toBe(disputesTotal);
    expect(issuerRows.reduce((sum, row) => sum + row.won, 0)).toBe(acquirerRow.lost);
    const own = (await ok(merchants[0]!.call('GET', `/v1/dispute-figures?${period}`))).data as any[];
    expect(own.map((row) => [row.role, row.id])).toEqual([['merchant', merchants[0]!.id]]);
    const mine = (await ok(acquirer.call('GET', `/v1/dispute-figures?${period}`))).data as any[];
    expect(mine.every((row) => row.id === acquirer.id || row.acquirerId === acquirer.id)).toBe(true);
    expect(mine.filter((row) => row.role === 'merchant')).toHaveLength(2);
    const walletView = (await ok(wallets[0]!.call('GET', `/v1/dispute-figures?${period}`))).data as any[];
    expect(walletView.every((row) => row.id === wallets[0]!.id)).toBe(true);

    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, `seed ${seed}: ${check.output}`).toBe(0);
  });
});
