/**
 * Notify: events that outside parties must learn of, their delivery to
 * merchants' webhook endpoints and participants' callback URLs, and the feed
 * to catch up. Pure rules, no I/O.
 */

import { lookupTimeoutMs, requestTimeoutMsMax } from '../http/index.ts';
import { invariant } from '../platform/index.ts';

/** What a receiver gets, in a webhook, a callback and the feed alike. */
export type HubEvent = { id: string; type: string; createdAt: string; data: unknown };

/**
 * The types the hub emits today (issue 5); later capabilities add theirs
 * through `emitEvent` without registering them here: any name that matches
 * `eventTypePattern` is accepted, and endpoints may subscribe to it.
 */
export const documentedEventTypes = [
  'checkout.paid',
  'checkout.expired',
  'checkout.canceled',
  'payment.succeeded',
  'channel_application.approved',
  'channel_application.rejected',
  'channel_application.info_requested',
  'channel.suspended',
  'channel.reinstated',
  'transfer.committed',
  'refund.posted',
  'pos_charge.succeeded',
  'pos_charge.declined',
  'pos_charge.reversed',
  'authorization.reversed',
  'dispute.created',
  'dispute.accepted',
  'dispute.contested',
  'dispute.withdrawn',
  'dispute.escalated',
  'dispute.won_by_issuer',
  'dispute.won_by_acquirer',
] as const;

export const eventTypePattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const eventTypeCharsMax = 100;
export const allEventTypes = '*';

export function isEventType(type: string): boolean {
  return type.length <= eventTypeCharsMax && eventTypePattern.test(type);
}

/** An endpoint hears the types it lists, or every type when it lists `*`. */
export function endpointHears(events: readonly string[], type: string): boolean {
  return events.includes(allEventTypes) || events.includes(type);
}

// ---------------------------------------------------------------- limits

/** The JSON of one event's data; events carry an object as it now is, not a history. */
export const eventDataBytesMax = 64 * 1024;
export const eventParticipantsMax = 10;
export const endpointsPerMerchantMax = 16;
export const endpointEventsMax = 50;
export const endpointUrlCharsMax = 2048;
/** A receiver must answer within this; a slower answer counts as a failed attempt. */
export const deliveryTimeoutMs = 10_000;
invariant(
  deliveryTimeoutMs <= requestTimeoutMsMax,
  `a delivery's timeout (${deliveryTimeoutMs} ms) is one the signed client accepts (at most ${requestTimeoutMsMax} ms)`,
);
/** A claimed delivery is another process's after this, should its claimer die mid-attempt. */
export const deliveryLeaseMs = 60_000;
export const claimBatchDeliveriesMax = 32;
export const claimBatchesPerTickMax = 20;
/**
 * Deliveries run in lanes (`delivery.ts`): webhooks and participants'
 * callbacks each have this many attempts in flight per process at most, so
 * callbacks never wait behind webhooks; and one receiver (an endpoint or a
 * participant) has at most `receiverInFlightMax` of them, so a slow receiver
 * holds two attempts, never every lane.
 */
export const deliveryConcurrencyPerKindMax = 16;
export const receiverInFlightMax = 2;
invariant(
  receiverInFlightMax < deliveryConcurrencyPerKindMax,
  `one receiver (${receiverInFlightMax} in flight) leaves room for others in its lane (${deliveryConcurrencyPerKindMax})`,
);
/**
 * A claimed delivery's attempt starts at once; it waits up to
 * `lookupTimeoutMs` for the URL check's DNS answer, then up to
 * `deliveryTimeoutMs` for the receiver. Should the lease run out first,
 * another process takes a delivery whose attempt still runs: the receiver
 * hears it twice.
 */
export const attemptWorstCaseMs = lookupTimeoutMs + deliveryTimeoutMs;
invariant(
  deliveryLeaseMs >= attemptWorstCaseMs,
  `the delivery lease (${deliveryLeaseMs} ms) covers an attempt's worst case (${attemptWorstCaseMs} ms)`,
);
export const deliveryWorkerIntervalMs = 1_000;
/** Retries go on at least this long after the event, then the delivery is `failed`. */
export const deliveryRetryWindowMs = 24 * 60 * 60 * 1000;
export const retryDelayMsBase = 10_000;
export const retryDelayMsMax = 60 * 60 * 1000;
/** Old and new webhook secret both sign for this long after a rotation. */
export const secretOverlapMs = 24 * 60 * 60 * 1000;
/** Events are kept at least this long, for the feed. */
export const eventRetentionMs = 30 * 24 * 60 * 60 * 1000;
export const purgeIntervalMs = 60 * 60 * 1000;
export const purgeBatchEventsMax = 500;
export const deliveryErrorCharsMax = 500;
export const feedTypesMax = 20;

// ---------------------------------------------------------------- deliveries

export type DeliveryKind = 'webhook' | 'callback';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
/**
 * `succeed`: a 2xx. `fail`: another answer or none, retried later.
 * `give_up`: the retry window is over, the endpoint answered 410 or is gone.
 * `retry`: asked for by the receiver's owner.
 */
export type DeliveryEvent = 'succeed' | 'fail' | 'give_up' | 'retry';

const deliveryTransitions: Record<DeliveryStatus, Partial<Record<DeliveryEvent, DeliveryStatus>>> = {
  pending: { succeed: 'delivered', fail: 'pending', give_up: 'failed', retry: 'pending' },
  delivered: { retry: 'pending' },
  failed: { retry: 'pending' },
};

export function nextDeliveryStatus(from: DeliveryStatus, event: DeliveryEvent): DeliveryStatus | undefined {
  return deliveryTransitions[from][event];
}

export type Delivery = {
  id: string;
  kind: DeliveryKind;
  eventId: string;
  eventType: string;
  endpointId: string | null;
  participantId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  failedAt: string | null;
};

/** What one attempt came to, before it is judged. */
export type AttemptResult =
  | { kind: 'response'; status: number }
  | { kind: 'no_answer'; error: string }
  /** Not sent: the URL is not allowed now (it may resolve elsewhere later). */
  | { kind: 'not_sent'; error: string }
  /** Not sent and never will be: the endpoint is disabled or deleted. */
  | { kind: 'receiver_gone'; error: string };

export type AttemptVerdict = {
  event: Exclude<DeliveryEvent, 'retry'>;
  nextAttemptAt: Date | null;
  /** 410 Gone from a merchant endpoint: stop sending to it. */
  disableEndpoint: boolean;
  responseStatus: number | null;
  error: string | null;
};

/**
 * Exponential backoff with equal jitter: the n-th retry waits between half
 * and all of min(max, base * 2^(n-1)). `unit` is uniform in [0, 1).
 */
export function retryDelayMs(attempts: number, unit: number): number {
  invariant(Number.isInteger(attempts) && attempts >= 1, `attempts is a positive integer (not ${attempts})`);
  invariant(unit >= 0 && unit < 1, `unit is in [0, 1) (not ${unit})`);
  const ceiling = Math.min(retryDelayMsMax, retryDelayMsBase * 2 ** Math.min(attempts - 1, 30));
  return Math.floor(ceiling / 2 + (unit * ceiling) / 2);
}

/** Decides what an attempt means for its delivery; `attempts` counts this one. */
export function judgeAttempt(
  result: AttemptResult,
  facts: { kind: DeliveryKind; attemptAt: Date; giveUpAt: Date; attempts: number; jitterUnit: number },
): AttemptVerdict {
  const responseStatus = result.kind === 'response' ? result.status : null;
  const error =
    result.kind === 'response'
      ? result.status >= 200 && result.status < 300
        ? null
        : `answered ${result.status}`
      : result.error;
  const verdict = (
    event: AttemptVerdict['event'],
    nextAttemptAt: Date | null,
    { disableEndpoint = false }: { disableEndpoint?: boolean } = {},
  ): AttemptVerdict => ({
    event,
    nextAttemptAt,
    disableEndpoint,
    responseStatus,
    error,
  });
  if (responseStatus !== null && responseStatus >= 200 && responseStatus < 300) return verdict('succeed', null);
  if (responseStatus === 410 && facts.kind === 'webhook') return verdict('give_up', null, { disableEndpoint: true });
  if (result.kind === 'receiver_gone') return verdict('give_up', null);
  if (facts.attemptAt.getTime() >= facts.giveUpAt.getTime()) return verdict('give_up', null);
  return verdict('fail', new Date(facts.attemptAt.getTime() + retryDelayMs(facts.attempts, facts.jitterUnit)));
}

// ---------------------------------------------------------------- webhook endpoints

export type EndpointDisabledReason = 'gone' | 'requested';

export type WebhookEndpoint = {
  id: string;
  merchantId: string;
  url: string;
  events: string[];
  enabled: boolean;
  status: 'enabled' | 'disabled';
  disabledReason: EndpointDisabledReason | null;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
  secretRotatedAt: string | null;
  previousSecretExpiresAt: string | null;
};

// ---------------------------------------------------------------- feed cursor

/**
 * A position in the feed: (transaction id, sequence). Opaque to readers;
 * `0.0` is the start. SQLite writes xid 0.
 */
export type FeedPosition = { xid: number; seq: number };

export const feedStart: FeedPosition = { xid: 0, seq: 0 };

export function encodeCursor(position: FeedPosition): string {
  return `${position.xid}.${position.seq}`;
}

export function decodeCursor(cursor: string): FeedPosition | undefined {
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!match) return undefined;
  const xid = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(xid) && Number.isSafeInteger(seq) ? { xid, seq } : undefined;
}
