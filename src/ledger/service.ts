import type { HubContext } from '../context.ts';
import { type Queryable, type Tx, inTransaction } from '../db/index.ts';
import { actorOf, type Caller } from '../http/index.ts';
import { type Minor, minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { findParticipant } from '../participants/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import {
  type Limits,
  type Position,
  type PositionView,
  type Posting,
  assertPostings,
  fitsHeadroom,
  headroomOf,
  netMoves,
  participantAccountsInLockOrder,
  thresholdCrossings,
} from './model.ts';
import * as store from './store.ts';

export type LimitRefusal = 'limit_exceeded';

/**
 * The participant's position row, locked until the transaction ends
 * (`select … for update` on PostgreSQL; SQLite runs one transaction at a
 * time). A missing row is created at zero first, race-safe: a concurrent
 * creator waits on the key and then does nothing.
 */
export async function lockPosition(tx: Tx, participantId: string, currency: string, at: string): Promise<Position> {
  await store.ensurePositionRow(tx, participantId, currency, at);
  const position = await store.lockPositionRow(tx, participantId, currency);
  invariant(position !== undefined, `position ${participantId} ${currency} exists once created`);
  return position;
}

/** Locks several participants' rows in one currency, always in the same order, so two transfers never deadlock. */
export async function lockPositions(
  tx: Tx,
  accounts: Iterable<string>,
  currency: string,
  at: string,
): Promise<Map<string, Position>> {
  const locked = new Map<string, Position>();
  for (const participantId of participantAccountsInLockOrder(accounts))
    locked.set(participantId, await lockPosition(tx, participantId, currency, at));
  return locked;
}

export async function limitsOf(db: Queryable, participantId: string, currency: string): Promise<Limits> {
  return store.findLimits(db, participantId, currency);
}

export function limitExceeded(participantId: string, currency: string) {
  return refuse('limit_exceeded', `participant ${participantId} would pass its net debit cap in ${currency}`, {
    participantId,
    currency,
  });
}

/**
 * Locks every participant account the postings move and refuses with
 * `limit_exceeded` when one that is debited (its net move is negative)
 * would be left with negative headroom. Call it before inserting the
 * transfer; `postEntries` then posts under the same locks.
 */
export async function checkHeadroom(
  tx: Tx,
  posting: { currency: string; postings: readonly Posting[]; at: string },
): Promise<Result<Map<string, Position>, LimitRefusal>> {
  const moves = netMoves(posting.postings);
  const positions = await lockPositions(tx, moves.keys(), posting.currency, posting.at);
  for (const [participantId, position] of positions) {
    const move = moves.get(participantId) ?? minor(0);
    if (move >= 0) continue;
    const headroom = headroomOf(position, await store.findLimits(tx, participantId, posting.currency));
    if (!fitsHeadroom(headroom, move)) return limitExceeded(participantId, posting.currency);
  }
  return ok(positions);
}

function entryId(transferId: string, line: number): string {
  return `ent_${transferId.slice(transferId.indexOf('_') + 1)}_${String(line).padStart(2, '0')}`;
}

/** Inserts one balanced group of entries; postings that do not balance, or hold a zero or unsafe amount, throw. */
export async function insertPostingEntries(
  tx: Tx,
  posting: { transferId: string; currency: string; postings: readonly Posting[]; at: string },
): Promise<void> {
  const { transferId, currency, postings, at } = posting;
  assertPostings(transferId, postings);
  await store.insertEntries(
    tx,
    postings.map((entry, line) => ({
      id: entryId(transferId, line),
      transferId,
      account: entry.account,
      currency,
      amount: entry.amount,
      createdAt: at,
    })),
  );
}

/**
 * Posts one balanced group of entries and moves the participants' position
 * rows by the same amounts, in the caller's transaction. Postings that do
 * not balance, or hold a zero or unsafe amount, are programmer errors and
 * throw. The hub's account has entries and no row.
 */
export async function postEntries(
  tx: Tx,
  posting: { transferId: string; currency: string; postings: readonly Posting[]; at: string },
): Promise<void> {
  const { transferId, currency, postings, at } = posting;
  assertPostings(transferId, postings);
  const moves = netMoves(postings);
  const before = await lockPositions(tx, moves.keys(), currency, at);
  await insertPostingEntries(tx, posting);
  for (const [participantId, position] of before) {
    const move = moves.get(participantId) ?? minor(0);
    if (move === 0) continue; // an on-us transfer debits and credits the same account
    const after = await store.addToPositionColumn(tx, participantId, currency, 'position', move, at);
    invariant(after !== undefined, `position ${participantId} ${currency} still exists while locked`);
    invariant(
      after === position.position + move,
      `position ${participantId} ${currency} moved by exactly ${move} (from ${position.position} to ${after})`,
    );
  }
}

/**
 * Sets `amount` aside against the participant's headroom without owing it
 * yet (a payment-code authorisation, issue 8). Refused with
 * `limit_exceeded` like a debit.
 */
export async function reserve(
  tx: Tx,
  participantId: string,
  currency: string,
  amount: Minor,
  at: string,
): Promise<Result<Position, LimitRefusal>> {
  invariant(Number.isSafeInteger(amount) && amount > 0, `a reservation is a positive safe integer (not ${amount})`);
  const before = await lockPosition(tx, participantId, currency, at);
  const headroom = headroomOf(before, await store.findLimits(tx, participantId, currency));
  if (!fitsHeadroom(headroom, minor(-amount))) return limitExceeded(participantId, currency);
  const reserved = await store.addToPositionColumn(tx, participantId, currency, 'reserved', amount, at);
  invariant(
    reserved === before.reserved + amount,
    `reserved ${participantId} ${currency} grew by exactly ${amount} (from ${before.reserved} to ${reserved})`,
  );
  return ok({ ...before, reserved: minor(reserved), updatedAt: at });
}

/** Gives back a reservation, when it is committed (the entries then take over) or released. */
export async function releaseReserved(
  tx: Tx,
  participantId: string,
  currency: string,
  amount: Minor,
  at: string,
): Promise<Position> {
  invariant(
    Number.isSafeInteger(amount) && amount > 0,
    `a released reservation is a positive safe integer (not ${amount})`,
  );
  const before = await lockPosition(tx, participantId, currency, at);
  invariant(
    before.reserved >= amount,
    `${participantId} ${currency} has ${amount} reserved to release (it has ${before.reserved})`,
  );
  const reserved = await store.addToPositionColumn(tx, participantId, currency, 'reserved', -amount, at);
  invariant(
    reserved === before.reserved - amount,
    `reserved ${participantId} ${currency} shrank by exactly ${amount} (from ${before.reserved} to ${reserved})`,
  );
  return { ...before, reserved: minor(reserved), updatedAt: at };
}

/**
 * Tells each participant whose headroom crossed 25 % or 10 % of its cap
 * (either way) since `before` (the rows as locked at the start of the use
 * case): one `position.threshold` event per threshold crossed, in the same
 * transaction as the move. Call it after the last move of the use case,
 * while the rows are still locked, so a commit that releases a reservation
 * and posts the same amount tells nothing.
 */
export async function announceThresholdCrossings(
  ctx: HubContext,
  tx: Tx,
  currency: string,
  before: ReadonlyMap<string, Position>,
): Promise<void> {
  for (const [participantId, was] of before) {
    const limits = await store.findLimits(tx, participantId, currency);
    if (limits.netDebitCap <= 0) continue;
    const now = await store.findPosition(tx, participantId, currency);
    invariant(now !== undefined, `position ${participantId} ${currency} still exists while locked`);
    await announceCrossings(ctx, tx, { participantId, currency, was, now, limits });
  }
}

/** One `position.threshold` event per threshold the participant's headroom crossed from `was` to `now`. */
export async function announceCrossings(
  ctx: HubContext,
  tx: Tx,
  change: { participantId: string; currency: string; was: Position; now: Position; limits: Limits },
): Promise<void> {
  const { participantId, currency, was, now, limits } = change;
  if (limits.netDebitCap <= 0) return;
  const headroom = headroomOf(now, limits);
  for (const crossing of thresholdCrossings(headroomOf(was, limits), headroom, limits.netDebitCap)) {
    const data = {
      participantId,
      currency,
      ...crossing,
      position: now.position,
      reserved: now.reserved,
      ...limits,
      headroom,
    };
    await emitEvent(ctx, tx, { type: 'position.threshold', data, participantIds: [participantId] });
  }
}

export async function positionView(db: Queryable, participantId: string, currency: string): Promise<PositionView> {
  const position = (await store.findPosition(db, participantId, currency)) ?? {
    position: minor(0),
    reserved: minor(0),
  };
  const limits = await store.findLimits(db, participantId, currency);
  return {
    participantId,
    currency,
    position: position.position,
    reserved: position.reserved,
    ...limits,
    headroom: headroomOf(position, limits),
  };
}

export type LimitsInput = { currency: string; netDebitCap: number; prefunding: number };
export type SetLimitsRefusal = 'not_found' | 'currency_not_supported';

/**
 * The operator sets a participant's cap and records its prefunding in one
 * currency, audited. The position row is locked first, so a payment in
 * flight sees either the old limits or the new ones, never half.
 */
export async function setLimits(
  ctx: HubContext,
  caller: Caller,
  participantId: string,
  input: LimitsInput,
): Promise<Result<PositionView, SetLimitsRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const participant = await findParticipant(tx, participantId);
    if (!participant) return refuse('not_found', `participant ${participantId} was not found`);
    if (!participant.currencies.includes(input.currency)) {
      return refuse('currency_not_supported', `participant ${participantId} does not list ${input.currency}`, {
        errors: [{ pointer: '/currency', detail: `is not one of ${participant.currencies.join(', ')}` }],
      });
    }
    const at = ctx.clock.now().toISOString();
    await lockPosition(tx, participantId, input.currency, at);
    const before = await store.findStoredLimits(tx, participantId, input.currency);
    const limits = { netDebitCap: minor(input.netDebitCap), prefunding: minor(input.prefunding) };
    await store.upsertLimits(tx, participantId, input.currency, limits, at);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'participant.limits_set',
      objectType: 'participant',
      objectId: participantId,
      before: before ? { currency: input.currency, ...before } : null,
      after: { currency: input.currency, ...limits },
    });
    return ok(await positionView(tx, participantId, input.currency));
  });
}

export { listPositionViews, positionCursor } from './store.ts';
