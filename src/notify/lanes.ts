import type { HubContext } from '../context.ts';
import type { EventDeliveryRow } from '../db/index.ts';
import { type Worker, invariant, startPeriodicWorker } from '../platform/index.ts';
import { deliverOne, purgeOldEvents } from './delivery.ts';
import {
  type DeliveryKind,
  claimBatchDeliveriesMax,
  claimBatchesPerTickMax,
  deliveryConcurrencyPerKindMax,
  deliveryLeaseMs,
  deliveryWorkerIntervalMs,
  purgeIntervalMs,
  receiverInFlightMax,
} from './model.ts';
import * as store from './store.ts';

/**
 * The lanes of one process. Each receiver (a merchant's endpoint or a
 * participant) has at most `receiverInFlightMax` attempts in flight, and
 * webhooks and callbacks each at most `deliveryConcurrencyPerKindMax`, so a
 * receiver that holds every request holds two attempts and nothing else. A
 * receiver whose attempt fails (no answer, a timeout, an error status) is
 * tripped, alone: none of its deliveries is claimed until the failed one's
 * next attempt falls due (its own backoff, which grows with each failure); a
 * success closes it again. The other receivers' deliveries are claimed and
 * started on every tick, whatever is still in flight.
 */
export type DeliveryLanes = {
  readonly inFlight: Map<string, number>;
  readonly inFlightByKind: Record<DeliveryKind, number>;
  readonly trippedUntilMs: Map<string, number>;
  readonly running: Set<Promise<void>>;
  /** One claimer per lane at a time; a claim asked for meanwhile runs after it. */
  readonly claiming: Record<DeliveryKind, Promise<Promise<void>[]> | undefined>;
  readonly claimAgain: Record<DeliveryKind, boolean>;
  stopped: boolean;
};

export function createDeliveryLanes(): DeliveryLanes {
  return {
    inFlight: new Map(),
    inFlightByKind: { webhook: 0, callback: 0 },
    trippedUntilMs: new Map(),
    running: new Set(),
    claiming: { webhook: undefined, callback: undefined },
    claimAgain: { webhook: false, callback: false },
    stopped: false,
  };
}

/**
 * Claims for one lane now, or right after the claim already running: each
 * finished attempt asks, so a lane takes its next delivery as soon as it has
 * room, not at the next tick.
 */
function claimFor(ctx: HubContext, lanes: DeliveryLanes, kind: DeliveryKind): Promise<Promise<void>[]> {
  const running = lanes.claiming[kind];
  if (running) {
    lanes.claimAgain[kind] = true;
    return running.then(() => []);
  }
  if (lanes.stopped) return Promise.resolve([]);
  const claim = dispatchKind(ctx, lanes, kind)
    .catch((error: unknown) => {
      ctx.logger.error({ err: error, kind }, 'claiming deliveries failed');
      return [];
    })
    .finally(() => {
      lanes.claiming[kind] = undefined;
      if (lanes.claimAgain[kind]) {
        lanes.claimAgain[kind] = false;
        void claimFor(ctx, lanes, kind);
      }
    });
  lanes.claiming[kind] = claim;
  return claim;
}

/** Each running worker's lanes, so a manual retry can close its receiver's breaker in this process. */
const lanesOfHub = new WeakMap<HubContext, DeliveryLanes>();

/** A retry asked for by hand is tried at once: the receiver's breaker closes (in this process). */
export function closeBreaker(ctx: HubContext, receiver: string | null): void {
  if (receiver !== null) lanesOfHub.get(ctx)?.trippedUntilMs.delete(receiver);
}

/** The receiver a delivery goes to: its endpoint or its participant. */
function receiverOf(delivery: EventDeliveryRow): string {
  return (delivery.kind === 'webhook' ? delivery.endpoint_id : delivery.participant_id) ?? `delivery:${delivery.id}`;
}

function startAttempt(ctx: HubContext, lanes: DeliveryLanes, delivery: EventDeliveryRow, token: string): Promise<void> {
  const receiver = receiverOf(delivery);
  const kind = delivery.kind as DeliveryKind;
  lanes.inFlight.set(receiver, (lanes.inFlight.get(receiver) ?? 0) + 1);
  lanes.inFlightByKind[kind] += 1;
  const run = deliverOne(ctx, delivery, token, {})
    .then(
      ({ failed, nextAttemptAt }) => {
        if (!failed) lanes.trippedUntilMs.delete(receiver);
        else if (nextAttemptAt)
          lanes.trippedUntilMs.set(
            receiver,
            Math.max(lanes.trippedUntilMs.get(receiver) ?? 0, nextAttemptAt.getTime()),
          );
      },
      // The lease runs out and another tick tries again.
      (error: unknown) =>
        ctx.logger.error({ err: error, delivery: delivery.id }, 'delivery attempt failed unexpectedly'),
    )
    .finally(() => {
      const left = (lanes.inFlight.get(receiver) ?? 1) - 1;
      if (left === 0) lanes.inFlight.delete(receiver);
      else lanes.inFlight.set(receiver, left);
      lanes.inFlightByKind[kind] -= 1;
      invariant(lanes.inFlightByKind[kind] >= 0, `the ${kind} lane counts what it runs`);
      lanes.running.delete(run);
      void claimFor(ctx, lanes, kind);
    });
  lanes.running.add(run);
  return run;
}

/** Receivers whose deliveries are not claimed now: full, or tripped until later. */
function heldReceivers(lanes: DeliveryLanes, nowMs: number): string[] {
  for (const [receiver, untilMs] of lanes.trippedUntilMs) if (untilMs <= nowMs) lanes.trippedUntilMs.delete(receiver);
  const full = [...lanes.inFlight].filter(([, count]) => count >= receiverInFlightMax).map(([receiver]) => receiver);
  return [...new Set([...full, ...lanes.trippedUntilMs.keys()])];
}

/** Claims what one lane may take now and starts it; answers the attempts started, without waiting for them. */
async function dispatchKind(ctx: HubContext, lanes: DeliveryLanes, kind: DeliveryKind): Promise<Promise<void>[]> {
  const started: Promise<void>[] = [];
  for (let batch = 0; batch < claimBatchesPerTickMax; batch += 1) {
    const limit = Math.min(claimBatchDeliveriesMax, deliveryConcurrencyPerKindMax - lanes.inFlightByKind[kind]);
    if (limit <= 0) break;
    const now = ctx.clock.now();
    const token = ctx.random.bytes(12).toString('hex');
    const claimed = await store.claimDueDeliveries(ctx.db.kysely, {
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + deliveryLeaseMs).toISOString(),
      token,
      limit,
      kind,
      exceptReceivers: heldReceivers(lanes, now.getTime()),
    });
    invariant(claimed.length <= limit, `a claim takes at most ${limit} deliveries (it took ${claimed.length})`);
    const extra: string[] = [];
    for (const delivery of claimed) {
      if ((lanes.inFlight.get(receiverOf(delivery)) ?? 0) >= receiverInFlightMax) extra.push(delivery.id);
      else started.push(startAttempt(ctx, lanes, delivery, token));
    }
    await store.releaseClaims(ctx.db.kysely, extra, token);
    if (claimed.length < limit || extra.length === claimed.length) break;
  }
  return started;
}

/** Starts every due delivery the lanes may take now, callbacks first; does not wait for the attempts. */
export async function dispatchDue(ctx: HubContext, lanes: DeliveryLanes): Promise<Promise<void>[]> {
  const [callbacks, webhooks] = await Promise.all([claimFor(ctx, lanes, 'callback'), claimFor(ctx, lanes, 'webhook')]);
  return [...callbacks, ...webhooks];
}

async function idle(lanes: DeliveryLanes): Promise<void> {
  for (;;) {
    const busy = [...lanes.running, ...Object.values(lanes.claiming).filter((claim) => claim !== undefined)];
    if (busy.length === 0) return;
    await Promise.all(busy);
  }
}

/** Attempts every due delivery the lanes let through, waiting for each, until none is left to start. */
export async function deliverDue(ctx: HubContext, lanes: DeliveryLanes = createDeliveryLanes()): Promise<number> {
  let attempted = 0;
  for (;;) {
    await idle(lanes);
    const started = await dispatchDue(ctx, lanes);
    if (started.length === 0) return attempted;
    attempted += started.length;
    await Promise.all(started);
  }
}

/**
 * The `deliveries` worker: every tick starts what the lanes may take (no
 * tick waits for a receiver), and purges old events hourly (by the hub's
 * clock). `runOnce` (tests) attempts everything due and waits for it.
 */
export function startDeliveryWorker(ctx: HubContext): Worker {
  const lanes = createDeliveryLanes();
  lanesOfHub.set(ctx, lanes);
  let lastPurgeAt: number | undefined;
  const periodic = startPeriodicWorker(
    'deliveries',
    deliveryWorkerIntervalMs,
    async () => {
      await dispatchDue(ctx, lanes);
      const now = ctx.clock.now().getTime();
      if (lastPurgeAt === undefined || now - lastPurgeAt >= purgeIntervalMs) {
        await purgeOldEvents(ctx);
        lastPurgeAt = now;
      }
    },
    ctx.logger,
  );
  return {
    name: periodic.name,
    runOnce: async () => {
      await periodic.runOnce();
      await deliverDue(ctx, lanes);
    },
    stop: async () => {
      await periodic.stop();
      lanes.stopped = true;
      await idle(lanes);
    },
  };
}
