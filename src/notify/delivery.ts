import { systemActor } from '../audit/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, type Tx, type EventDeliveryRow } from '../db/index.ts';
import { HttpTransportError, checkOutboundUrl, createSignedHttpClient, type SignedHttpClient } from '../http/index.ts';
import { ensureHubKey } from '../hub/index.ts';
import { findParticipantRow } from '../participants/index.ts';
import { type Worker, invariant, startPeriodicWorker } from '../platform/index.ts';
import { signingSecretsOf } from './endpoints.ts';
import { notifyMetricsOf } from './metrics.ts';
import {
  type AttemptResult,
  type DeliveryKind,
  type HubEvent,
  claimBatchDeliveriesMax,
  claimBatchesPerTickMax,
  deliveryConcurrencyPerKindMax,
  deliveryErrorCharsMax,
  deliveryLeaseMs,
  deliveryTimeoutMs,
  deliveryWorkerIntervalMs,
  eventRetentionMs,
  judgeAttempt,
  nextDeliveryStatus,
  purgeBatchEventsMax,
  purgeIntervalMs,
  receiverInFlightMax,
} from './model.ts';
import { webhookHeaders } from './signing.ts';
import * as store from './store.ts';

const userAgent = 'Lintas-Hub/0.1';

/** What one tick shares between its attempts: the hub's signing client, made at most once. */
type TickState = { callbackClient?: Promise<SignedHttpClient> };

function callbackClientOf(ctx: HubContext, state: TickState): Promise<SignedHttpClient> {
  state.callbackClient ??= ensureHubKey(ctx).then((key) =>
    createSignedHttpClient({
      http: ctx.http,
      keyId: key.keyId,
      privateKey: key.privateKey,
      now: () => ctx.clock.now(),
    }),
  );
  return state.callbackClient;
}

async function sendWebhook(
  ctx: HubContext,
  delivery: EventDeliveryRow,
  event: HubEvent,
  at: Date,
): Promise<AttemptResult> {
  const endpoint =
    delivery.endpoint_id === null
      ? undefined
      : await store.findEndpoint(ctx.db.kysely, delivery.endpoint_id, { withDeleted: true });
  if (!endpoint || endpoint.deletedAt !== null) return { kind: 'receiver_gone', error: 'the endpoint was deleted' };
  if (!endpoint.enabled) return { kind: 'receiver_gone', error: 'the endpoint is disabled' };
  const allowed = await checkOutboundUrl(endpoint.url, { allowPrivate: ctx.config.allowPrivateUrls });
  if (!allowed.ok) return { kind: 'not_sent', error: `url_not_allowed: ${allowed.detail}` };
  const payload = JSON.stringify(event);
  const headers = webhookHeaders({ eventId: event.id, at, payload, secrets: signingSecretsOf(ctx, endpoint, at) });
  const response = await ctx.http.request({
    method: 'POST',
    url: endpoint.url,
    headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...headers },
    body: payload,
    timeoutMs: deliveryTimeoutMs,
  });
  return { kind: 'response', status: response.status };
}

/** A participant hears of its events at `callbackUrl` + `/events`, signed with the hub's key (RFC 9421). */
export function callbackUrlOf(callbackUrl: string): string {
  const url = new URL(callbackUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/events`;
  return url.toString();
}

async function sendCallback(
  ctx: HubContext,
  delivery: EventDeliveryRow,
  event: HubEvent,
  state: TickState,
): Promise<AttemptResult> {
  const participant =
    delivery.participant_id === null ? undefined : await findParticipantRow(ctx.db.kysely, delivery.participant_id);
  if (!participant) return { kind: 'receiver_gone', error: 'the participant does not exist' };
  const url = callbackUrlOf(participant.callback_url);
  const allowed = await checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls });
  if (!allowed.ok) return { kind: 'not_sent', error: `url_not_allowed: ${allowed.detail}` };
  const client = await callbackClientOf(ctx, state);
  const response = await client.postJson(url, event, { timeoutMs: deliveryTimeoutMs, idempotencyKey: event.id });
  return { kind: 'response', status: response.status };
}

/** One attempt, outside any transaction: only an answer or its absence comes out of it. */
async function attempt(
  ctx: HubContext,
  delivery: EventDeliveryRow,
  state: TickState,
  at: Date,
): Promise<AttemptResult> {
  const eventRow = await store.findEventRow(ctx.db.kysely, delivery.event_id);
  invariant(eventRow !== undefined, `the event ${delivery.event_id} of delivery ${delivery.id} exists`);
  const event = store.toHubEvent(eventRow);
  try {
    return delivery.kind === 'webhook'
      ? await sendWebhook(ctx, delivery, event, at)
      : await sendCallback(ctx, delivery, event, state);
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'no_answer', error: `${error.kind}: ${error.message}` };
    throw error;
  }
}

function jitterUnit(ctx: HubContext): number {
  return ctx.random.bytes(4).readUInt32BE(0) / 2 ** 32;
}

/** Attempts one claimed delivery, then records the outcome in a short transaction of its own; answers the verdict. */
async function deliverOne(
  ctx: HubContext,
  delivery: EventDeliveryRow,
  token: string,
  state: TickState,
): Promise<{ failed: boolean; nextAttemptAt: Date | null }> {
  const at = ctx.clock.now();
  const result = await attempt(ctx, delivery, state, at);
  const attempts = delivery.attempts + 1;
  const verdict = judgeAttempt(result, {
    kind: delivery.kind as DeliveryKind,
    attemptAt: at,
    giveUpAt: new Date(delivery.give_up_at),
    attempts,
    jitterUnit: jitterUnit(ctx),
  });
  const status = nextDeliveryStatus('pending', verdict.event);
  invariant(status !== undefined, `a pending delivery may ${verdict.event}`);
  invariant(
    (status === 'pending') === (verdict.nextAttemptAt !== null),
    `delivery ${delivery.id} has a next attempt exactly when it stays pending (it becomes ${status})`,
  );
  const recorded = await inTransaction(ctx.db, async (tx) => {
    const held = await store.recordAttempt(tx, delivery.id, token, {
      status,
      attempts,
      at: ctx.clock.now().toISOString(),
      nextAttemptAt: verdict.nextAttemptAt?.toISOString() ?? null,
      responseStatus: verdict.responseStatus,
      error: verdict.error === null ? null : verdict.error.slice(0, deliveryErrorCharsMax),
    });
    if (held && verdict.disableEndpoint && delivery.endpoint_id !== null)
      await disableGoneEndpoint(ctx, tx, delivery.endpoint_id);
    return held;
  });
  const answer = { failed: verdict.event === 'fail', nextAttemptAt: verdict.nextAttemptAt };
  if (!recorded) {
    ctx.logger.warn({ delivery: delivery.id }, 'delivery lease lost before its outcome was recorded');
    return answer;
  }
  const outcome = status === 'pending' ? 'retrying' : status;
  notifyMetricsOf(ctx).attempts.inc({ kind: delivery.kind, outcome });
  ctx.logger.debug(
    { delivery: delivery.id, event: delivery.event_id, outcome, responseStatus: verdict.responseStatus, attempts },
    'delivery attempted',
  );
  return answer;
}

/** A 410 Gone says the receiver is gone for good: stop sending to it until the merchant enables it again. */
async function disableGoneEndpoint(ctx: HubContext, tx: Tx, endpointId: string): Promise<void> {
  const before = await store.findEndpoint(tx, endpointId, { lock: true });
  if (!before?.enabled) return;
  const stamp = ctx.clock.now().toISOString();
  await store.updateEndpoint(tx, endpointId, {
    updatedAt: stamp,
    enabled: false,
    disabledAt: stamp,
    disabledReason: 'gone',
  });
  const after = await store.findEndpoint(tx, endpointId);
  invariant(after?.enabled === false, `webhook endpoint ${endpointId} is disabled after it answered 410`);
  await ctx.audit(tx, {
    actor: systemActor,
    action: 'webhook_endpoint.disabled',
    objectType: 'webhook_endpoint',
    objectId: endpointId,
    before: store.publicEndpoint(before),
    after: after ? store.publicEndpoint(after) : null,
  });
}

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

/** Drops events past retention whose deliveries are all finished, a batch at a time. */
export async function purgeOldEvents(ctx: HubContext): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - eventRetentionMs).toISOString();
  let purged = 0;
  for (;;) {
    const count = await inTransaction(ctx.db, (tx) => store.purgeEvents(tx, cutoff, purgeBatchEventsMax));
    invariant(count <= purgeBatchEventsMax, `a purge batch drops at most ${purgeBatchEventsMax} events (not ${count})`);
    purged += count;
    if (count < purgeBatchEventsMax) return purged;
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
