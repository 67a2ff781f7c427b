/** The world the dispute tests share: one hub per test file, its parties, and the steps they repeat. */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type Receiver,
  type TestHub,
  type TestParticipant,
  bearerClient,
  startReceiver,
  startTestHub,
} from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
  positionsOf,
} from '../testing/world.ts';

export let hub: TestHub;
export let acquirer: TestParticipant;
export let issuer: TestParticipant;
export let merchant: TestMerchant;
export let issuerReceiver: Receiver;
export let acquirerReceiver: Receiver;
export let merchantReceiver: Receiver;
export let webhookSecret: string;
export let operator: ReturnType<typeof bearerClient>;

export const dayMs = 24 * 60 * 60 * 1000;
/** The schedule of these tests: 1 % interchange, no switch fee, an arbitration fee of 5.00 CNY. */
export const arbitrationFee = 500;

/** A hub with an issuer, an acquirer and its merchant (each listening), priced for disputes; for one test file. */
export function useDisputeWorld(): void {
  beforeAll(async () => {
    hub = await startTestHub();
    operator = bearerClient(hub, hub.operatorToken);
    issuerReceiver = await startReceiver(hub.clock);
    acquirerReceiver = await startReceiver(hub.clock);
    merchantReceiver = await startReceiver(hub.clock);
    acquirer = await createWallet(hub, 'Acquirer Pay', {
      roles: ['issuer', 'acquirer'],
      callbackUrl: acquirerReceiver.url,
    });
    issuer = await createWallet(hub, 'Issuer Wallet', { callbackUrl: issuerReceiver.url });
    merchant = await createMerchant(hub, acquirer);
    await approveChannel(merchant, issuer);
    const endpoint = await merchant.call('POST', '/v1/webhook-endpoints', { url: merchantReceiver.url, events: ['*'] });
    expect(endpoint.status, endpoint.text).toBe(201);
    webhookSecret = endpoint.body.secret;
    const schedule = await operator('PUT', '/v1/fee-schedules/CNY', {
      interchange: { bps: 100 },
      issuerSwitchFee: { bps: 0 },
      acquirerSwitchFee: { bps: 0 },
      merchantDiscount: { bps: 0 },
      arbitrationFee: { bps: 0, fixedAmount: arbitrationFee },
    });
    expect(schedule.status, schedule.text).toBe(200);
  });
  afterAll(async () => {
    await hub?.stop();
    await issuerReceiver?.close();
    await acquirerReceiver?.close();
    await merchantReceiver?.close();
  });
}

export async function paid(amount: number): Promise<string> {
  const checkout = await createCheckout(merchant, {
    amount,
    lines: [{ kind: 'product', name: 'Item', quantity: 1, unitAmount: amount }],
  });
  const payment = await payCheckoutByQr(hub, checkout, issuer, `pay-${checkout.id}`);
  expect(payment.status, payment.text).toBe(201);
  return payment.body.id;
}

export function raise(transferId: string, amount: number, reason = 'not_received', by = issuer) {
  return by.call('POST', '/v1/disputes', { transferId, reason, amount, note: 'the buyer says nothing came' });
}

export async function raised(transferId: string, amount: number, reason = 'not_received') {
  const answer = await raise(transferId, amount, reason);
  expect(answer.status, answer.text).toBe(201);
  return answer.body as { id: string; deadlineAt: string };
}

export const position = (positions: Record<string, number>, participant: TestParticipant) =>
  positions[`${participant.id}:CNY`] ?? 0;

export async function moved(since: Record<string, number>) {
  const now = await positionsOf(hub);
  return {
    acquirer: position(now, acquirer) - position(since, acquirer),
    issuer: position(now, issuer) - position(since, issuer),
  };
}

export async function escalated(transferId: string, amount: number): Promise<string> {
  const dispute = await raised(transferId, amount);
  const contested = await merchant.call('POST', `/v1/disputes/${dispute.id}/contest`, { note: 'delivered' });
  expect(contested.status, contested.text).toBe(200);
  const up = await issuer.call('POST', `/v1/disputes/${dispute.id}/escalate`, { note: 'no signature on it' });
  expect(up.body).toMatchObject({ status: 'escalated', deadlineAt: null });
  return dispute.id;
}

export async function hubAccount(): Promise<number> {
  const db = hub.ctx.db.kysely;
  const row = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<number>('amount').as('sum'))
    .where('account', '=', 'hub')
    .executeTakeFirst();
  return Number(row?.sum ?? 0);
}
