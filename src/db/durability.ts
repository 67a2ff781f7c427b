/**
 * Group commit for SQLite. Transactions commit at `synchronous = NORMAL`: their WAL frames are written at
 * once, in order, but not flushed to the disk one by one. Before anything that commit decided leaves the
 * process (an HTTP answer, an outbound call), `durable()` flushes the WAL with one fdatasync, on libuv's
 * thread pool, for every commit made so far: the commits that arrive together share one flush, and the event
 * loop never waits on the disk.
 *
 * A flush covers every frame written before it began, because the WAL is one file written front to back and
 * Linux flushes a file's data whichever descriptor wrote it; so an answer that waits for the flush that
 * started after its own commit (or after the commits it read) is as durable as one sent after a
 * `synchronous = FULL` commit. A process that is killed loses nothing either way (the frames are in the
 * kernel's cache); only a machine that loses power before the flush loses the commits that nobody was told of.
 */
import { closeSync, existsSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { invariant } from '../platform/index.ts';
import type { DatabaseCounters } from './sqlite-statements.ts';

export type Durability = {
  /** Resolves once every commit made before the call is on the disk. */
  durable(): Promise<void>;
  close(): void;
};

export const alwaysDurable: Durability = { durable: async () => {}, close: () => {} };

export function sqliteDurability(file: string, counters: DatabaseCounters): Durability {
  const walFile = `${file}-wal`;
  let walFd: number | undefined;
  let flushedCommits = 0;
  let inFlight: Promise<void> | undefined;

  function walDescriptor(): number {
    if (walFd !== undefined) return walFd;
    invariant(existsSync(walFile), 'the WAL exists once a commit was written');
    walFd = openSync(walFile, 'r+');
    // The WAL's name must survive a power loss too: the folder that holds it is flushed once.
    const folder = openSync(dirname(walFile), 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    return walFd;
  }

  function flush(): Promise<void> {
    const target = counters.commits;
    const fd = walDescriptor();
    return new Promise<void>((done, failed) => {
      fdatasync(fd, (error) => {
        if (error) return failed(error);
        invariant(target >= flushedCommits, 'flushes complete in the order they began');
        flushedCommits = target;
        counters.flushes += 1;
        done();
      });
    });
  }

  async function durable(): Promise<void> {
    const needed = counters.commits;
    while (flushedCommits < needed) {
      if (inFlight === undefined) {
        inFlight = flush().finally(() => {
          inFlight = undefined;
        });
      }
      await inFlight;
    }
  }

  return {
    durable,
    close: () => {
      if (walFd !== undefined) closeSync(walFd);
      walFd = undefined;
    },
  };
}
