import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../platform/index.ts';
import { type Receiver, type TestHub, type TestParticipant, startReceiver, startTestHub } from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from '../testing/world.ts';
import { deliveryWorkerIntervalMs, receiverInFlightMax } from './model.ts';

/**
 * Deliveries that one dead receiver cannot stall. A merchant's endpoint
 * holds every request for 11 s (longer than the hub waits); the hub's
 * `deliveries` worker runs on its real one-second timer. Every other
 * receiver, merchants' endpoints and participants' callbacks alike, hears
 * each of its events within one tick of the event, and the holding receiver
 * never has more than `receiverInFlightMax` attempts in flight. Receivers
 * note the wall clock when a request arrives.
 */
const holdMs = 11_000;
let hub: TestHub;
let holding: Receiver;
let fast: Receiver;
let acquirerCallbacks: Receiver;
let slowShop: TestMerchant;
let fastShop: TestMerchant;
let wallet: TestParticipant;
let inFlightAtHolding = 0;
let inFlightAtHoldingMax = 0;
const releases: (() => void)[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  holding = await startReceiver(systemClock, async () => {
    inFlightAtHolding += 1;
    inFlightAtHoldingMax = Math.max(inFlightAtHoldingMax, inFlightAtHolding);
    await new Promise<void>((release) => {
      const timer = setTimeout(release, holdMs);
      releases.push(() => {
        clearTimeout(timer);
        release();
      });
    });
    inFlightAtHolding -= 1;
    return 200;
  });
  fast = await startReceiver(systemClock);
  acquirerCallbacks = await startReceiver(systemClock);
  const acquirer = await createWallet(hub, 'Lane Acquirer', {
    roles: ['issuer', 'acquirer'],
    callbackUrl: `${acquirerCallbacks.url}/acq`,
  });
  wallet = await createWallet(hub, 'Lane Wallet');
  slowShop = await createMerchant(hub, acquirer, { name: 'Slow Shop' });
  fastShop = await createMerchant(hub, acquirer, { name: 'Fast Shop' });
  for (const [shop, receiver] of [
    [slowShop, holding],
    [fastShop, fast],
  ] as const) {
    await approveChannel(shop, wallet);
    const endpoint = await shop.call('POST', '/v1/webhook-endpoints', { url: `${receiver.url}/hooks`, events: ['*'] });
    expect(endpoint.status, endpoint.text).toBe(201);
  }
});
afterAll(async () => {
  for (const release of releases) release();
  await hub?.stop();
  for (const receiver of [holding, fast, acquirerCallbacks]) await receiver?.close();
});

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = systemClock.now().getTime() + timeoutMs;
  while (!done() && systemClock.now().getTime() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('a receiver that holds every request', () => {
  test('slows only itself: every other receiver hears each event within one tick', async () => {
    const paymentsEach = 12;
    const emitted = new Map<string, number>();
    for (let index = 0; index < paymentsEach; index += 1) {
      for (const shop of [slowShop, fastShop]) {
        const checkout = await createCheckout(shop);
        const paid = await payCheckoutByQr(hub, checkout, wallet, `lane-${shop.id}-${index}`);
        expect(paid.status, paid.text).toBe(201);
        const at = systemClock.now().getTime();
        emitted.set(checkout.id, at);
        emitted.set(paid.body.id, at);
      }
    }
    const paidTo = (receiver: Receiver, type: string) =>
      receiver.requests
        .map((request) => ({ at: request.at.getTime(), event: JSON.parse(request.body) }))
        .filter(({ event }) => event.type === type);
    await waitFor(
      () =>
        paidTo(fast, 'checkout.paid').length >= paymentsEach &&
        paidTo(acquirerCallbacks, 'transfer.committed').length >= 2 * paymentsEach,
      10_000,
    );
    // One tick, and what the tick's own database work and a loaded machine add.
    const onTimeMs = deliveryWorkerIntervalMs + 1_500;
    const lateness = (receiver: Receiver, type: string, idOf: (data: any) => string) =>
      paidTo(receiver, type)
        .filter(({ event }) => emitted.has(idOf(event.data)))
        .map(({ at, event }) => at - (emitted.get(idOf(event.data)) as number));
    const fastLate = lateness(fast, 'checkout.paid', (data) => data.id);
    expect(fastLate).toHaveLength(paymentsEach);
    expect(Math.max(...fastLate)).toBeLessThanOrEqual(onTimeMs);
    // The acquirer's callbacks, of both shops' payments, the slow one's included, are on time too.
    const callbackLate = lateness(acquirerCallbacks, 'transfer.committed', (data) => data.id);
    expect(callbackLate).toHaveLength(2 * paymentsEach);
    expect(Math.max(...callbackLate)).toBeLessThanOrEqual(onTimeMs);
    // The holding receiver has at most its share in flight, and nothing else waited on it.
    expect(inFlightAtHoldingMax).toBeLessThanOrEqual(receiverInFlightMax);
    expect(holding.requests.length).toBeLessThanOrEqual(receiverInFlightMax);
  });
});
