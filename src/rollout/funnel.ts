/**
 * The funnel: per wallet and UTC day, how many of a merchant's checkouts
 * offered the wallet, how many of those the buyer started to pay with it,
 * and how many were paid with it. Derived from what checkouts store (their
 * decisions, attempts and payments); no counter is kept, so no row is hot.
 *
 * Days are the checkouts' creation days: a checkout created at 23:50 and
 * paid at 00:10 counts as paid on the day it was created, so each day's
 * three numbers describe the same checkouts and their ratios are
 * conversion rates.
 */
import { listChannelsOfMerchant } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import type { Caller, FieldError } from '../http/index.ts';
import { type Result, ok, refuse, invariant } from '../platform/index.ts';
import * as store from './store.ts';

/** The longest span one request may count, in days. */
export const statsDaysMax = 31;
/** Without `from`, the span ends on `to` and lasts this many days. */
export const statsDaysDefault = 7;
/** Checkouts read per query while counting offers. */
export const statsBatchCheckoutsMax = 1_000;

const dayMs = 24 * 60 * 60 * 1000;

export type FunnelRow = { walletId: string; date: string; offered: number; attempted: number; paid: number };
export type FunnelQuery = {
  from?: string | undefined;
  to?: string | undefined;
  walletId?: string | undefined;
  merchantId?: string | undefined;
};
export type FunnelRefusal = 'invalid_request' | 'not_found';

/** A day `YYYY-MM-DD` as the instant it starts, in UTC. */
function startOf(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

function dayText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The span asked for: both days included, `to` today and `from` a week before when absent. */
export function spanOf(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
): Result<{ fromAt: string; toAt: string }, 'invalid_request'> {
  const to = query.to ?? dayText(now.getTime());
  const from = query.from ?? dayText(startOf(to) - (statsDaysDefault - 1) * dayMs);
  const errors: FieldError[] = [];
  const days = (startOf(to) - startOf(from)) / dayMs + 1;
  if (days < 1) errors.push({ pointer: '/from', detail: `is after to ${to}` });
  else if (days > statsDaysMax)
    errors.push({ pointer: '/to', detail: `is more than ${statsDaysMax} days from ${from}` });
  if (errors.length > 0) return refuse('invalid_request', 'the span of days is not valid', { errors });
  return ok({ fromAt: new Date(startOf(from)).toISOString(), toAt: new Date(startOf(to) + dayMs).toISOString() });
}

/**
 * Whose funnel the caller may count: a merchant its own; a wallet one
 * merchant's (named, since a wallet serves many), and only for itself and
 * a merchant that has applied to it.
 */
async function scopeOf(
  ctx: HubContext,
  caller: Caller,
  query: FunnelQuery,
): Promise<Result<{ merchantId: string; walletId: string | undefined }, FunnelRefusal>> {
  if (caller.type === 'merchant') {
    if (query.merchantId !== undefined && query.merchantId !== caller.id)
      return refuse('not_found', `merchant ${query.merchantId} was not found`);
    return ok({ merchantId: caller.id, walletId: query.walletId });
  }
  invariant(caller.type === 'participant', `only a merchant or a participant reads the funnel (not a ${caller.type})`);
  if (query.merchantId === undefined) {
    return refuse('invalid_request', 'a wallet names the merchant whose funnel it reads', {
      errors: [{ pointer: '/merchantId', detail: 'is required for a wallet' }],
    });
  }
  if (query.walletId !== undefined && query.walletId !== caller.id)
    return refuse('not_found', `wallet ${query.walletId} was not found`);
  const channels = await listChannelsOfMerchant(ctx.db.kysely, query.merchantId);
  if (!channels.some((channel) => channel.walletId === caller.id))
    return refuse('not_found', `merchant ${query.merchantId} was not found`);
  return ok({ merchantId: query.merchantId, walletId: caller.id });
}

export async function readFunnel(
  ctx: HubContext,
  caller: Caller,
  query: FunnelQuery,
): Promise<Result<FunnelRow[], FunnelRefusal>> {
  const span = spanOf(query, ctx.clock.now());
  if (!span.ok) return span;
  const scope = await scopeOf(ctx, caller, query);
  if (!scope.ok) return scope;
  const filter = { ...scope.value, ...span.value };
  const rows = new Map<string, FunnelRow>();
  const rowOf = (date: string, walletId: string) => {
    const key = `${date} ${walletId}`;
    const known = rows.get(key);
    if (known) return known;
    const row = { walletId, date, offered: 0, attempted: 0, paid: 0 };
    rows.set(key, row);
    return row;
  };
  for (let afterId = ''; ; ) {
    const page = await store.listDecisionsCreatedIn(ctx.db.kysely, {
      ...filter,
      afterId,
      limit: statsBatchCheckoutsMax,
    });
    for (const checkout of page) {
      for (const decision of checkout.decisions) {
        if (decision.offered && (filter.walletId === undefined || decision.walletId === filter.walletId))
          rowOf(checkout.createdAt.slice(0, 10), decision.walletId).offered += 1;
      }
    }
    const last = page[page.length - 1];
    if (!last || page.length < statsBatchCheckoutsMax) break;
    afterId = last.id;
  }
  for (const count of await store.countAttemptedCheckouts(ctx.db.kysely, filter))
    rowOf(count.date, count.walletId).attempted = count.count;
  for (const count of await store.countPaidCheckouts(ctx.db.kysely, filter))
    rowOf(count.date, count.walletId).paid = count.count;
  return ok(
    [...rows.values()].sort(
      (left, right) =>
        left.date.localeCompare(right.date) ||
        (left.walletId < right.walletId ? -1 : left.walletId > right.walletId ? 1 : 0),
    ),
  );
}
