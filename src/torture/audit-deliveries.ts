/**
 * The auditor's half about news: every webhook and callback the hub queued reached its receiver at least once,
 * every redelivery was a true copy, nothing arrived that the hub never emitted, and deduplicating by event id
 * leaves one event per fact (one `checkout.paid` per checkout, one `refund.created` per refund...).
 */
import type { Snapshot } from './audit-store.ts';
import type { Received } from './receivers.ts';
import { type Violation, broken, doubled, lost } from './violations.ts';

/** Facts that make exactly one event: two event ids about one object are the fact told twice. */
const oneEventPerSubject = new Set([
  'checkout.paid',
  'payment.succeeded',
  'transfer.committed',
  'refund.created',
  'refund.succeeded',
  'pos_charge.succeeded',
  'pos_qr.paid',
]);

export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function checkDelivered(
  snapshot: Snapshot,
  received: ReadonlyMap<string, Received>,
  receiverOf: ReadonlyMap<string, string>,
): Violation[] {
  const found: Violation[] = [];
  for (const delivery of snapshot.deliveries) {
    const party = delivery.kind === 'webhook' ? delivery.merchant_id : delivery.participant_id;
    const receiver = party === null ? undefined : receiverOf.get(party);
    const what = `${delivery.event_type} ${delivery.event_id} to ${receiver ?? party}`;
    if (delivery.status !== 'delivered')
      found.push(lost('not_delivered', `${what} is ${delivery.status} after ${delivery.attempts} attempts`));
    else if (receiver === undefined || !received.get(delivery.event_id)?.receivers.has(receiver))
      found.push(lost('not_delivered', `${what} is marked delivered, but its receiver never got it`));
  }
  return found;
}

function checkReceived(snapshot: Snapshot, received: ReadonlyMap<string, Received>): Violation[] {
  const emitted = new Set(snapshot.events.map((event) => event.id));
  const found: Violation[] = [];
  for (const [id, entry] of received) {
    if (!emitted.has(id))
      found.push(broken('phantom_event', `${entry.type} ${id} arrived, but the hub has no such event`));
    if (entry.bodies.size > 1)
      found.push(broken('event_changed', `${entry.type} ${id} arrived with ${entry.bodies.size} different bodies`));
  }
  return found;
}

/** Dedup by id must leave one event per fact, in what was stored and in what arrived. */
function checkOnePerFact(snapshot: Snapshot, received: ReadonlyMap<string, Received>): Violation[] {
  const idsOfFact = new Map<string, Set<string>>();
  const note = (type: string | undefined, subjectId: string | undefined, id: string) => {
    if (type === undefined || subjectId === undefined || !oneEventPerSubject.has(type)) return;
    const fact = `${type} of ${subjectId}`;
    idsOfFact.set(fact, (idsOfFact.get(fact) ?? new Set()).add(id));
  };
  for (const event of snapshot.events) note(event.type, event.subjectId, event.id);
  for (const [id, entry] of received) note(entry.type, entry.subjectId, id);
  return [...idsOfFact]
    .filter(([, ids]) => ids.size > 1)
    .map(([fact, ids]) => doubled('fact_told_twice', `${fact} is told by ${ids.size} events: ${[...ids].join(', ')}`));
}

/** Every checkout that was paid has its `checkout.paid`, and the merchant's receiver got it. */
function checkCheckoutNews(snapshot: Snapshot, received: ReadonlyMap<string, Received>): Violation[] {
  const paidEvents = groupBy(
    snapshot.events.filter((event) => event.type === 'checkout.paid'),
    (event) => event.subjectId,
  );
  const found: Violation[] = [];
  for (const checkout of snapshot.checkouts.filter((row) => row.transferId !== null)) {
    const events = paidEvents.get(checkout.id) ?? [];
    const heard = events.some((event) =>
      [...(received.get(event.id)?.receivers ?? [])].some((receiver) => receiver.startsWith('merchant:')),
    );
    if (events.length === 0)
      found.push(lost('checkout_news', `checkout ${checkout.id} was paid without checkout.paid`));
    else if (!heard) found.push(lost('checkout_news', `checkout.paid of ${checkout.id} never reached the merchant`));
  }
  return found;
}

export function auditDeliveries(
  snapshot: Snapshot,
  received: ReadonlyMap<string, Received>,
  receiverOf: ReadonlyMap<string, string>,
): Violation[] {
  return [
    ...checkDelivered(snapshot, received, receiverOf),
    ...checkReceived(snapshot, received),
    ...checkOnePerFact(snapshot, received),
    ...checkCheckoutNews(snapshot, received),
  ];
}
