/**
 * The payments a bench run makes, each the four requests of a QR payment: the merchant creates a checkout,
 * the buyer asks for a QR attempt, the wallet resolves the payload and sends the transfer. Closed loop (a
 * fixed number of buyers, each starting the next payment when one ends) for throughput; open loop (payments
 * started at a fixed rate) for the latency at a given load.
 */
import type { Answer, Send } from './client.ts';
import type { World } from './world.ts';

export const steps = ['checkout', 'attempt', 'resolve', 'transfer'] as const;
export type Step = (typeof steps)[number];

export type Tally = {
  completed: number;
  refused: Record<string, number>;
  latenciesMs: Record<Step, number[]>;
};

export function emptyTally(): Tally {
  return { completed: 0, refused: {}, latenciesMs: { checkout: [], attempt: [], resolve: [], transfer: [] } };
}

let paymentCounter = 0;

function keep(tally: Tally, step: Step, answer: Answer, status: number): boolean {
  tally.latenciesMs[step].push(answer.elapsedMs);
  if (answer.status === status) return true;
  const key = `${step} ${answer.status} ${answer.body?.code ?? ''}`.trim();
  tally.refused[key] = (tally.refused[key] ?? 0) + 1;
  return false;
}

/** One payment; which wallet pays which merchant follows the counter, so every pair takes its share. */
export async function payOnce(send: Send, world: World, tally: Tally): Promise<void> {
  paymentCounter += 1;
  const payment = paymentCounter;
  const wallet = world.wallets[payment % world.wallets.length];
  const merchant = world.merchants[Math.floor(payment / world.wallets.length) % world.merchants.length];
  if (wallet === undefined || merchant === undefined) throw new Error('the bench world has no wallet or merchant');
  const reference = `bench-${process.pid}-${payment}`;
  const body = { amount: 12_990, currency: 'CNY', reference, buyerId: `buyer-${payment % 1000}` };
  const checkout = await send(merchant.caller, 'POST', '/v1/checkouts', body);
  if (!keep(tally, 'checkout', checkout, 201)) return;
  const buyer = { kind: 'bearer', token: checkout.body.clientSecret } as const;
  const attemptPath = `/v1/checkouts/${checkout.body.id}/attempts`;
  const attempt = await send(buyer, 'POST', attemptPath, { walletId: wallet.id, flow: 'qr' });
  if (!keep(tally, 'attempt', attempt, 201)) return;
  const resolve = { qrPayload: attempt.body.qrPayload };
  const resolved = await send(wallet.caller, 'POST', '/v1/payment-requests/resolve', resolve);
  if (!keep(tally, 'resolve', resolved, 200)) return;
  const { paymentToken, amount, currency } = resolved.body;
  const transfer = { paymentToken, amount, currency, payer: { ref: `payer-${process.pid}-${payment}` } };
  const transferred = await send(wallet.caller, 'POST', '/v1/transfers', transfer);
  if (keep(tally, 'transfer', transferred, 201)) tally.completed += 1;
}

/** `buyers` payments at a time until `seconds` have passed; the tally of what ended in that time. */
export async function closedLoop(
  pay: (tally: Tally) => Promise<void>,
  options: { buyers: number; seconds: number; onPayment?: () => void },
): Promise<Tally> {
  const tally = emptyTally();
  const endAt = performance.now() + options.seconds * 1000;
  const buyer = async () => {
    while (performance.now() < endAt) {
      await pay(tally);
      options.onPayment?.();
    }
  };
  await Promise.all(Array.from({ length: options.buyers }, buyer));
  return tally;
}

/** Payments started at `perSecond` for `seconds`, however long each takes; the tally once all have ended. */
export async function openLoop(
  pay: (tally: Tally) => Promise<void>,
  options: { perSecond: number; seconds: number; onPayment?: () => void },
): Promise<Tally> {
  const tally = emptyTally();
  const tickMs = 10;
  const started = performance.now();
  const running: Promise<void>[] = [];
  let launched = 0;
  const total = Math.round(options.perSecond * options.seconds);
  while (launched < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.perSecond));
    for (; launched < due; launched += 1) running.push(pay(tally).then(() => options.onPayment?.()));
    await new Promise((tick) => setTimeout(tick, tickMs));
  }
  await Promise.all(running);
  return tally;
}

export function percentileMs(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}
