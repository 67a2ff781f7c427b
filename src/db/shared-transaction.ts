/**
 * Group commit for a served SQLite hub: requests that arrive together share one transaction and one COMMIT.
 *
 * A hub process holds SQLite's one connection and runs its statements one after another, so a COMMIT per
 * request (and one per write outside a transaction: an idempotency claim, a stored answer, a signature
 * nonce) was a third of the time the hub spent in SQLite, each writing its pages to the WAL again. Once
 * `start()`ed, the first write opens a shared transaction; every use case's transaction becomes a
 * SAVEPOINT inside it (released on commit, rolled back alone on failure, so each request is still accepted
 * or refused on its own); writes outside a use case's transaction join it as they are. The shared
 * transaction commits when someone must say what it decided (`commit()`: an answer about to be sent, an
 * outbound call about to be made) and no use case is half way through, or `groupAgeMsMax` after its first
 * write, whichever comes first. Nothing leaves the process before the COMMIT that made it, so a process
 * killed with a group open loses only work that nobody was told of, as a killed single transaction does.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { invariant } from '../platform/index.ts';

/** A group never stays open longer than this after its first write, so background work is committed too. */
export const groupAgeMsMax = 10;
const savepointName = 'lintas_use_case';

type Waiter = { resolve(): void; reject(error: unknown): void };

export type SharedTransaction = {
  /** From now on writes share groups; before it (migrations) every statement runs on its own. */
  start(): void;
  readonly started: boolean;
  /** Resolves once every write made so far is committed (at once when no group is open). */
  commit(): Promise<void>;
  /** A use case's BEGIN, COMMIT and ROLLBACK, as savepoints of the group. */
  begin(): void;
  release(): void;
  rollback(): void;
  /** Called before a write outside a savepoint runs, so it joins a group. */
  beforeWrite(): void;
  /** Called after each statement: a group that SQLite rolled back on its own (a full disk) fails its waiters. */
  afterStatement(): void;
};

class Groups implements SharedTransaction {
  started = false;
  private open = false;
  private depth = 0;
  private commitAtRelease = false;
  private scheduled = false;
  private ageTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly onCommit: () => void,
    private readonly onLost: () => void,
  ) {}

  start = (): void => {
    this.started = true;
  };

  commit = (): Promise<void> => {
    if (!this.open) return Promise.resolve();
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return committed;
  };

  begin = (): void => {
    invariant(this.depth === 0, 'use cases do not nest transactions on the one connection');
    this.beforeWrite();
    this.sqlite.exec(`savepoint ${savepointName}`);
    this.depth = 1;
  };

  release = (): void => {
    invariant(this.depth === 1, 'a use case releases the savepoint it began');
    this.sqlite.exec(`release ${savepointName}`);
    this.depth = 0;
    this.commitIfAsked();
  };

  rollback = (): void => {
    invariant(this.depth === 1, 'a use case rolls back the savepoint it began');
    this.depth = 0;
    // A group SQLite already rolled back has no savepoint left to return to.
    if (this.sqlite.inTransaction) this.sqlite.exec(`rollback to ${savepointName}; release ${savepointName}`);
    this.commitIfAsked();
  };

  beforeWrite = (): void => {
    if (this.open) return;
    this.sqlite.exec('begin');
    this.open = true;
    this.ageTimer = setTimeout(() => this.schedule(), groupAgeMsMax);
    this.ageTimer.unref();
  };

  afterStatement = (): void => {
    if (!this.open || this.sqlite.inTransaction) return;
    this.close();
    this.onLost();
    this.settle(new Error('SQLite rolled back the shared transaction; its requests are not committed'));
  };

  private commitIfAsked(): void {
    if (!this.commitAtRelease) return;
    this.commitAtRelease = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn: the requests that answer in the same turn share the COMMIT.
    setImmediate(() => this.tryCommit());
  }

  private tryCommit(): void {
    this.scheduled = false;
    if (!this.open) {
      this.settle(undefined);
      return;
    }
    if (this.depth > 0) {
      this.commitAtRelease = true;
      return;
    }
    this.commitNow();
  }

  private commitNow(): void {
    invariant(this.depth === 0, 'a group commits only between use cases');
    try {
      this.sqlite.exec('commit');
      this.close();
      this.onCommit();
      this.settle(undefined);
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
      this.close();
      this.onLost();
      this.settle(error);
    }
  }

  private close(): void {
    this.open = false;
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
  }

  private settle(error: unknown): void {
    const settled = this.waiters;
    this.waiters = [];
    for (const waiter of settled) error === undefined ? waiter.resolve() : waiter.reject(error);
  }
}

/** `onLost`: a group was rolled back whole, so what was read from it (a cache) must be forgotten. */
export function sharedTransaction(
  sqlite: BetterSqlite3.Database,
  onCommit: () => void,
  onLost: () => void,
): SharedTransaction {
  return new Groups(sqlite, onCommit, onLost);
}
