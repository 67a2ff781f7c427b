import { systemActor } from '../audit/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, type Tx, type EventDeliveryRow } from '../db/index.ts';
import { HttpTransportError, checkOutboundUrl, createSignedHttpClient, type SignedHttpClient } from '../http/index.ts';
import { ensureHubKey } from '../hub/index.ts';
import { findParticipantRow } from '../participants/index.ts';
import { invariant } from '../platform/index.ts';
import { signingSecretsOf } from './endpoints.ts';
import { notifyMetricsOf } from './metrics.ts';
import {
  type AttemptResult,
  type DeliveryKind,
  type HubEvent,
  deliveryErrorCharsMax,
  deliveryTimeoutMs,
  eventRetentionMs,
  judgeAttempt,
  nextDeliveryStatus,
  purgeBatchEventsMax,
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
export async function deliverOne(
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
