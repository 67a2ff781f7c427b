import type { HubContext } from '../context.ts';
import { type Tx, beforeCommit } from '../db/index.ts';
import { type Minor, minor } from '../money/index.ts';
import { type Refusal, type Result, invariant, ok } from '../platform/index.ts';
import {
  type Position,
  type Posting,
  fitsHeadroom,
  headroomOf,
  netMoves,
  participantAccountsInLockOrder,
} from './model.ts';
import { type LimitRefusal, announceCrossings, insertPostingEntries, limitExceeded } from './service.ts';
import * as store from './store.ts';

/**
 * Payments move positions as the last statements of their transaction.
 *
 * Every payment of one wallet to one acquirer writes the same two position
 * rows. Locked where the payment began (as refunds and settlement still do),
 * they were held for the whole use case (tens of statements), and such
 * payments ran one at a time whatever the number of processes. Now a payment
 * checks the headroom as last committed without a lock (refusing early what
 * cannot fit), inserts its entries (appended rows, never contended), and
 * leaves the position moves for the end of its transaction: one `UPDATE …
 * RETURNING` per participant, in lock order, then COMMIT. The row is held
 * from that update to the commit only. The cap is checked again on the row
 * as updated, under its lock, so it is never passed: a debit that no longer
 * fits (others took the headroom in between) rolls the whole transaction
 * back and the use case answers `limit_exceeded`.
 */
type PendingMove = { participantId: string; currency: string; amount: Minor; at: string };

const pendingByTx = new WeakMap<Tx, Map<string, PendingMove>>();

type PostingGroup = { transferId: string; currency: string; postings: readonly Posting[]; at: string };

/** Refuses what the headroom as last committed cannot take; the commit checks again under the row lock. */
export async function precheckHeadroom(
  tx: Tx,
  posting: Pick<PostingGroup, 'currency' | 'postings'>,
): Promise<Result<true, LimitRefusal>> {
  const moves = netMoves(posting.postings);
  for (const participantId of participantAccountsInLockOrder(moves.keys())) {
    const move = moves.get(participantId) ?? minor(0);
    if (move >= 0) continue;
    const position = (await store.findPosition(tx, participantId, posting.currency)) ?? {
      position: minor(0),
      reserved: minor(0),
    };
    const limits = await store.findLimits(tx, participantId, posting.currency);
    if (!fitsHeadroom(headroomOf(position, limits), move)) return limitExceeded(participantId, posting.currency);
  }
  return ok(true);
}

/** Inserts the entries now and moves the positions by the same amounts just before the transaction commits. */
export async function postEntriesMovingPositionsAtCommit(
  ctx: HubContext,
  tx: Tx,
  posting: PostingGroup,
): Promise<void> {
  await insertPostingEntries(tx, posting);
  const pending = pendingMovesOf(ctx, tx);
  const moves = netMoves(posting.postings);
  for (const participantId of participantAccountsInLockOrder(moves.keys())) {
    const move = moves.get(participantId) ?? minor(0);
    if (move === 0) continue; // an on-us transfer debits and credits the same account
    const key = `${posting.currency} ${participantId}`;
    const earlier = pending.get(key)?.amount ?? 0;
    pending.set(key, { participantId, currency: posting.currency, amount: minor(earlier + move), at: posting.at });
  }
}

function pendingMovesOf(ctx: HubContext, tx: Tx): Map<string, PendingMove> {
  const known = pendingByTx.get(tx);
  if (known !== undefined) return known;
  const pending = new Map<string, PendingMove>();
  pendingByTx.set(tx, pending);
  beforeCommit(tx, () => applyMoves(ctx, tx, pending));
  return pending;
}

/** Keys sort as (currency, participant): the order every locker of position rows takes them in. */
async function applyMoves(
  ctx: HubContext,
  tx: Tx,
  pending: Map<string, PendingMove>,
): Promise<Refusal<LimitRefusal> | undefined> {
  pendingByTx.delete(tx);
  for (const key of [...pending.keys()].sort()) {
    const move = pending.get(key);
    invariant(move !== undefined, `a pending move is kept under ${key}`);
    if (move.amount === 0) continue;
    const now = await moveRow(tx, move);
    const was = { ...now, position: minor(now.position - move.amount) };
    const limits = await store.findLimits(tx, move.participantId, move.currency);
    if (!fitsHeadroom(headroomOf(was, limits), move.amount)) return limitExceeded(move.participantId, move.currency);
    invariant(
      move.amount >= 0 || headroomOf(now, limits) >= 0,
      `a debit leaves ${move.participantId} ${move.currency} within its headroom`,
    );
    await announceCrossings(ctx, tx, { participantId: move.participantId, currency: move.currency, was, now, limits });
  }
  return undefined;
}

async function moveRow(tx: Tx, move: PendingMove): Promise<Position> {
  const moved = await store.movePositionRow(tx, move.participantId, move.currency, move.amount, move.at);
  if (moved !== undefined) return moved;
  await store.ensurePositionRow(tx, move.participantId, move.currency, move.at);
  const created = await store.movePositionRow(tx, move.participantId, move.currency, move.amount, move.at);
  invariant(created !== undefined, `position ${move.participantId} ${move.currency} exists once created`);
  return created;
}
