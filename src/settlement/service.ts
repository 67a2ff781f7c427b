import { recordIdempotentEffect } from '../http/index.ts';
import { type Actor, systemActor } from '../audit/index.ts';
import type { HubContext } from '../context.ts';
import { type Queryable, type Tx, inTransaction } from '../db/index.ts';
import { announceThresholdCrossings, lockPositions, postEntries } from '../ledger/index.ts';
import { minor } from '../money/index.ts';
import { emitEvent } from '../notify/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import { type SettlementCutoff, businessDateOf, lastCutoff, nextCutoff } from './calendar.ts';
import {
  type ReportAudience,
  type SettlementWindow,
  type WindowReport,
  assertNetsSumToZero,
  nextWindowStatus,
  settlementPostings,
} from './model.ts';
import * as store from './store.ts';

/** What a transfer records of the window it joins. */
export type TransferWindow = { id: string; businessDate: string };

/** A step of long work, for a progress bar: `done` of `total` steps, named. */
export type Progress = (step: { done: number; total: number; name: string }) => void;
const noProgress: Progress = () => {};

function windowJson(window: SettlementWindow): SettlementWindow {
  return {
    id: window.id,
    status: window.status,
    businessDate: window.businessDate,
    openedAt: window.openedAt,
    closedAt: window.closedAt,
    settledAt: window.settledAt,
    nextWindowId: window.nextWindowId,
  };
}

/** Opens a window now unless one is open (a concurrent opener wins, and this one reads its window). */
async function openWindow(ctx: HubContext, tx: Tx, at: Date): Promise<store.StoredWindow> {
  const id = newId('win', at, ctx.random);
  await store.insertOpenWindow(tx, {
    id,
    businessDate: businessDateOf(at, ctx.config.settlementCutoff),
    openedAt: at.toISOString(),
  });
  const open = await store.findOpenWindow(tx);
  invariant(open !== undefined, 'a window is open once one was opened');
  return open;
}

/**
 * What this process last saw of the open window (one per hub context, so
 * one per process): its id and the first cutoff after it opened, from which
 * on it is due to roll. Only a hint, so a transfer needs no query to know
 * that nothing is due; whatever it says, the window is read again under
 * the lock before it is joined or rolled.
 */
type OpenWindowHint = { windowId: string; dueAtMs: number };
const openWindowHints = new WeakMap<HubContext, OpenWindowHint>();

function noteOpenWindow(ctx: HubContext, open: store.StoredWindow, cutoff: SettlementCutoff): number {
  const hint = openWindowHints.get(ctx);
  if (hint?.windowId === open.id) return hint.dueAtMs;
  const dueAtMs = nextCutoff(new Date(open.openedAt), cutoff).getTime();
  openWindowHints.set(ctx, { windowId: open.id, dueAtMs });
  return dueAtMs;
}

/**
 * The window open now, read inside the transfer's own transaction, which
 * then holds it open until it ends (see `holdWindowShared`): a close never
 * splits a transfer, and every committed transfer belongs to exactly one
 * window. Call it before the use case takes any other lock, so a close
 * waiting for its turn never waits on a transaction that waits on it.
 *
 * With `LINTAS_SETTLEMENT_CUTOFF`, a window a cutoff has passed since it
 * opened is rolled first (see `rollDueWindow`), so a transfer always joins
 * the window its time belongs to, however long since the worker's last
 * tick. The common case costs nothing more: until the hint's cutoff, the
 * transfer takes the shared lock and reads the window as before.
 */
export async function windowForTransfer(ctx: HubContext, tx: Tx): Promise<TransferWindow> {
  const cutoff = ctx.config.settlementCutoff;
  const hint = openWindowHints.get(ctx);
  if (cutoff !== undefined && (hint === undefined || ctx.clock.now().getTime() >= hint.dueAtMs))
    return transferWindowOf(await rollDueWindow(ctx, tx, cutoff));
  await store.holdWindowShared(tx);
  const open = (await store.findOpenWindow(tx)) ?? (await openWindow(ctx, tx, ctx.clock.now()));
  if (cutoff === undefined || ctx.clock.now().getTime() < noteOpenWindow(ctx, open, cutoff))
    return transferWindowOf(open);
  // Due after all: the cutoff passed while this transaction waited for the
  // lock, or another process opened the window by a clock behind this one's.
  // The shared lock is kept and the exclusive one taken beside it; of two
  // transactions doing so at once, PostgreSQL's deadlock detector aborts one
  // and inTransaction runs it again, now on the exclusive path.
  return transferWindowOf(await rollDueWindow(ctx, tx, cutoff));
}

function transferWindowOf(window: store.StoredWindow): TransferWindow {
  return { id: window.id, businessDate: window.businessDate };
}

/**
 * Closes the open window if a cutoff has passed since it opened, and opens
 * the next, in the transfer's transaction under the exclusive window lock
 * (the worker's): it waits for every transfer that joined the old window,
 * and holds back the others until this transaction ends. Whoever rolls
 * first wins; a transaction (or process, or worker tick) that waited on it
 * finds the new window not due and joins it. If the transfer fails, the
 * roll is undone with it and the next transfer or tick rolls again. The
 * closed window's report is left to the worker's next tick (or the first
 * read of it), as it sums the whole window.
 */
async function rollDueWindow(ctx: HubContext, tx: Tx, cutoff: SettlementCutoff): Promise<store.StoredWindow> {
  await store.holdWindowExclusive(tx);
  const at = ctx.clock.now();
  const due = lastCutoff(at, cutoff);
  const open = (await store.findOpenWindow(tx)) ?? (await openWindow(ctx, tx, at));
  if (Date.parse(open.openedAt) >= due.getTime()) {
    noteOpenWindow(ctx, open, cutoff);
    return open;
  }
  const { next } = await closeOpenWindow(ctx, tx, open, { actor: systemActor, at });
  invariant(Date.parse(next.openedAt) >= due.getTime(), `window ${next.id}, opened by a roll, is not due itself`);
  noteOpenWindow(ctx, next, cutoff);
  return next;
}

/** Makes sure a window is open, so a fresh hub shows one before its first transfer. */
export async function ensureOpenWindow(ctx: HubContext): Promise<SettlementWindow> {
  return inTransaction(ctx.db, async (tx) => {
    const { id } = await windowForTransfer(ctx, tx);
    const window = await store.findWindow(tx, id);
    invariant(window !== undefined, `the open window ${id} exists`);
    return windowJson(window);
  });
}

export type CloseOptions = {
  actor: Actor;
  /** Close only a window opened before this instant (the schedule's cutoff); otherwise nothing is due. */
  openedBefore?: Date | undefined;
  progress?: Progress | undefined;
};

const closeSteps = 3;

/**
 * Closes the open window and opens the next, then makes the closed window's
 * report. The close waits for every transfer that already joined the window
 * (PostgreSQL: the exclusive side of the window lock) and is short; the
 * report is summed in a second transaction, since a closed window can
 * gain no transfer. Answers undefined when `openedBefore` finds nothing due.
 */
export async function closeWindow(ctx: HubContext, options: CloseOptions): Promise<SettlementWindow | undefined> {
  const progress = options.progress ?? noProgress;
  const closed = await inTransaction(ctx.db, async (tx) => {
    await store.holdWindowExclusive(tx);
    const at = ctx.clock.now();
    const open = (await store.findOpenWindow(tx)) ?? (await openWindow(ctx, tx, at));
    if (options.openedBefore !== undefined && Date.parse(open.openedAt) >= options.openedBefore.getTime())
      return undefined;
    const { closed } = await closeOpenWindow(ctx, tx, open, { actor: options.actor, at });
    await recordIdempotentEffect(tx, { kind: 'settlement_window', id: closed.id });
    return windowJson(closed);
  });
  if (!closed) return undefined;
  progress({ done: 1, total: closeSteps, name: `closed ${closed.id}` });
  await ensureReport(ctx, closed.id, (name) => progress({ done: 2, total: closeSteps, name }));
  progress({ done: closeSteps, total: closeSteps, name: 'reported' });
  return closed;
}

/**
 * Closes the open window at `at` and opens the next, under the exclusive
 * window lock the caller holds; audited as `settlement_window.closed`.
 */
async function closeOpenWindow(
  ctx: HubContext,
  tx: Tx,
  open: store.StoredWindow,
  change: { actor: Actor; at: Date },
): Promise<{ closed: store.StoredWindow; next: store.StoredWindow }> {
  invariant(nextWindowStatus(open.status, 'close') === 'closed', `an ${open.status} window can close`);
  const nextId = newId('win', change.at, ctx.random);
  invariant(
    await store.markClosed(tx, open.id, { at: change.at.toISOString(), nextWindowId: nextId }),
    `window ${open.id} was still open under the lock`,
  );
  await store.insertOpenWindow(tx, {
    id: nextId,
    businessDate: businessDateOf(change.at, ctx.config.settlementCutoff),
    openedAt: change.at.toISOString(),
  });
  const closed = await store.findWindow(tx, open.id);
  invariant(closed?.status === 'closed', `window ${open.id} is closed after its close`);
  invariant(closed.nextWindowId === nextId, `closed window ${open.id} names ${nextId} as its next`);
  const next = await store.findOpenWindow(tx);
  invariant(next?.id === nextId, `window ${nextId} is open after ${open.id} closed`);
  await ctx.audit(tx, {
    actor: change.actor,
    action: 'settlement_window.closed',
    objectType: 'settlement_window',
    objectId: open.id,
    before: windowJson(open),
    after: windowJson(closed),
  });
  return { closed, next };
}

/**
 * Sums a closed window's transfers into its report aggregates, once, and
 * tells each participant in it (`settlement_window.closed`, with its own
 * lines). Safe to call again: a window already reported is left alone.
 */
export async function ensureReport(
  ctx: HubContext,
  windowId: string,
  step: (name: string) => void = () => {},
): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const window = await store.findWindow(tx, windowId, { lock: true });
    invariant(window !== undefined, `window ${windowId} exists before its report`);
    invariant(window.status !== 'open', `window ${windowId} is closed before its report`);
    if (window.reportedAt !== null) return;
    step('summing transfers');
    await store.insertFlows(tx, windowId);
    const lines = await store.reportLines(tx, windowId, { type: 'all' });
    assertNetsSumToZero(windowId, lines);
    await store.markReported(tx, windowId, ctx.clock.now().toISOString());
    step('telling participants');
    await tellParticipants(ctx, tx, 'settlement_window.closed', windowJson(window));
  });
}

/** One event per participant in the window, carrying its own lines only. */
async function tellParticipants(ctx: HubContext, tx: Tx, type: string, window: SettlementWindow): Promise<void> {
  for (const participantId of await store.windowParticipantIds(tx, window.id)) {
    const lines = await store.reportLines(tx, window.id, { type: 'participant', id: participantId });
    await emitEvent(ctx, tx, { type, data: { ...window, lines }, participantIds: [participantId] });
  }
}

export async function findWindow(db: Queryable, id: string): Promise<SettlementWindow | undefined> {
  const window = await store.findWindow(db, id);
  return window && windowJson(window);
}

export type ReportRefusal = 'not_found' | 'window_not_closed';

/** The window's report as the audience may see it: a participant only its own lines, pairs, merchants and counts. */
export async function readReport(
  ctx: HubContext,
  windowId: string,
  audience: ReportAudience,
): Promise<Result<WindowReport, ReportRefusal>> {
  let window = await store.findWindow(ctx.db.kysely, windowId);
  if (!window) return refuse('not_found', `settlement window ${windowId} was not found`);
  if (window.status === 'open')
    return refuse('window_not_closed', `settlement window ${windowId} is open: its report is made when it closes`);
  if (window.reportedAt === null) {
    await ensureReport(ctx, windowId);
    window = (await store.findWindow(ctx.db.kysely, windowId)) ?? window;
  }
  const db = ctx.db.kysely;
  const [lines, bilateral, merchants, counts] = await Promise.all([
    store.reportLines(db, windowId, audience),
    store.bilateralLines(db, windowId, audience),
    store.merchantLines(db, windowId, audience),
    store.reportCounts(db, windowId, audience),
  ]);
  return ok({
    windowId,
    status: window.status,
    businessDate: window.businessDate,
    lines,
    bilateral,
    merchants,
    counts,
  });
}

export type SettleRefusal = 'not_found' | 'window_not_closed' | 'window_already_settled';

/**
 * Records that the window's money moved outside the hub: posts minus each
 * participant's net (and the hub's) for that window, one balanced group per
 * currency, so positions keep only what other windows hold. The window now
 * open is untouched. Settlement is a fact, never refused for a cap: a
 * participant paid out here may be left with less headroom.
 */
export async function settleWindow(
  ctx: HubContext,
  windowId: string,
  options: { actor: Actor; progress?: Progress | undefined },
): Promise<Result<SettlementWindow, SettleRefusal>> {
  const progress = options.progress ?? noProgress;
  const found = await store.findWindow(ctx.db.kysely, windowId);
  if (found?.status === 'closed' && found.reportedAt === null) await ensureReport(ctx, windowId);
  return inTransaction(ctx.db, async (tx) => {
    const window = await store.findWindow(tx, windowId, { lock: true });
    if (!window) return refuse('not_found', `settlement window ${windowId} was not found`);
    if (window.status === 'open') return refuse('window_not_closed', `settlement window ${windowId} is still open`);
    if (window.status === 'settled')
      return refuse('window_already_settled', `settlement window ${windowId} was settled at ${window.settledAt}`);
    invariant(nextWindowStatus(window.status, 'settle') === 'settled', `a ${window.status} window can settle`);
    const lines = await store.reportLines(tx, windowId, { type: 'all' });
    assertNetsSumToZero(windowId, lines);
    const at = ctx.clock.now();
    const currencies = [...new Set(lines.map((line) => line.currency))];
    for (const [index, currency] of currencies.entries()) {
      progress({ done: index, total: currencies.length + 1, name: `posting ${currency}` });
      await postSettlement(ctx, tx, { windowId, currency, postings: settlementPostings(lines, currency), at });
    }
    invariant(
      await store.markSettled(tx, windowId, at.toISOString()),
      `window ${windowId} was still closed under its lock`,
    );
    const after = await store.findWindow(tx, windowId);
    invariant(after?.status === 'settled', `window ${windowId} is settled after its settlement`);
    invariant(after.settledAt !== null, `settled window ${windowId} is stamped with when`);
    await ctx.audit(tx, {
      actor: options.actor,
      action: 'settlement_window.settled',
      objectType: 'settlement_window',
      objectId: windowId,
      before: windowJson(window),
      after: windowJson(after),
    });
    progress({ done: currencies.length, total: currencies.length + 1, name: 'telling participants' });
    await tellParticipants(ctx, tx, 'settlement_window.settled', windowJson(after));
    await recordIdempotentEffect(tx, { kind: 'settlement_window', id: windowId });
    progress({ done: currencies.length + 1, total: currencies.length + 1, name: 'settled' });
    return ok(windowJson(after));
  });
}

async function postSettlement(
  ctx: HubContext,
  tx: Tx,
  settlement: { windowId: string; currency: string; postings: { account: string; amount: number }[]; at: Date },
): Promise<void> {
  if (settlement.postings.length === 0) return;
  const id = newId('stl', settlement.at, ctx.random);
  const at = settlement.at.toISOString();
  await store.insertSettlement(tx, { id, windowId: settlement.windowId, currency: settlement.currency, createdAt: at });
  const before = await lockPositions(
    tx,
    settlement.postings.map((posting) => posting.account),
    settlement.currency,
    at,
  );
  await postEntries(tx, {
    transferId: id,
    currency: settlement.currency,
    postings: settlement.postings.map((posting) => ({ account: posting.account, amount: minor(posting.amount) })),
    at,
  });
  invariant(
    settlement.postings.reduce((sum, posting) => sum + posting.amount, 0) === 0,
    `the settlement ${id} of window ${settlement.windowId} in ${settlement.currency} balances`,
  );
  await announceThresholdCrossings(ctx, tx, settlement.currency, before);
}

const unreportedBatchMax = 10;

/**
 * The `settlement-cutoff` worker's tick: closes the open window once the
 * configured cutoff has passed since it opened, for the hours without
 * transfers (a transfer rolls a due window itself: see `windowForTransfer`;
 * several hub processes may try, and the lock lets one close and the others
 * find nothing due), and reports any window closed without its report: one
 * a transfer rolled, or one a stopped hub closed.
 */
export async function runCutoff(ctx: HubContext): Promise<void> {
  const cutoff = ctx.config.settlementCutoff;
  if (cutoff !== undefined) {
    const open = await store.findOpenWindow(ctx.db.kysely);
    const due = lastCutoff(ctx.clock.now(), cutoff);
    if (open === undefined || Date.parse(open.openedAt) < due.getTime())
      await closeWindow(ctx, { actor: systemActor, openedBefore: due });
  }
  for (const id of await store.listUnreportedWindowIds(ctx.db.kysely, unreportedBatchMax)) await ensureReport(ctx, id);
}

export { listWindows } from './store.ts';
