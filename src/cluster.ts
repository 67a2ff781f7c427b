/**
 * `lintas serve --workers N`: N hub processes on one port (node:cluster),
 * sharing one PostgreSQL database. The primary migrates once, forks the
 * workers, prints the banner once they all listen, restarts a worker that
 * dies, and on SIGTERM or SIGINT stops them all (each finishes what it has
 * in flight) before it exits. Every background job already runs safely in
 * many processes: each takes its rows under a lock and re-checks them, so
 * N workers run each job's work once.
 */
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import type { Config } from './config.ts';
import { isPostgresUrl, migrateToLatest, openDatabase } from './db/index.ts';
import { systemClock } from './platform/index.ts';

export const hubWorkersMax = 64;
/** A worker that dies this soon after it started is failing to start: the primary gives up instead of looping. */
const restartWindowMs = 10_000;
/** How long the primary waits for its workers to stop before it kills them. */
const stopWorkersMs = 30_000;

export type WorkersChoice = { ok: true; count: number } | { ok: false; message: string };

/** `--workers` or LINTAS_WORKERS, checked: SQLite is served by one process, so more than one needs PostgreSQL. */
export function workersChoice(text: string | undefined, config: Config): WorkersChoice {
  if (text === undefined) return { ok: true, count: 1 };
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > hubWorkersMax)
    return { ok: false, message: `--workers "${text}" must be an integer from 1 to ${hubWorkersMax}` };
  if (count > 1 && !isPostgresUrl(config.db))
    return {
      ok: false,
      message: '--workers above 1 needs PostgreSQL (--db postgres://…): a SQLite file is served by one process',
    };
  return { ok: true, count };
}

/** True in a process the primary forked: it serves, and tells the primary once it listens. */
export const isHubWorker = (): boolean => cluster.isWorker;

/** Called by a worker once its hub listens; the primary prints the banner when all have. */
export function announceListening(url: string): void {
  process.send?.({ lintas: 'listening', url });
}

function isListening(message: unknown): message is { lintas: 'listening'; url: string } {
  return typeof message === 'object' && message !== null && (message as { lintas?: unknown }).lintas === 'listening';
}

function forkWorker(index: number): ClusterWorker {
  return cluster.fork({ LINTAS_WORKER_INDEX: String(index) });
}

/** Resolves with the URL once every worker listens; rejects if one exits first. */
function untilAllListen(workers: ClusterWorker[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let listening = 0;
    for (const worker of workers) {
      const onExit = (code: number | null) => reject(new Error(`hub worker ${worker.id} exited with ${code}`));
      worker.once('exit', onExit);
      worker.on('message', (message: unknown) => {
        if (!isListening(message)) return;
        worker.off('exit', onExit);
        listening += 1;
        if (listening === workers.length) resolve(message.url);
      });
    }
  });
}

function stopAll(workers: Set<ClusterWorker>): Promise<void> {
  const exits = [...workers].map(
    (worker) =>
      new Promise<void>((done) => {
        if (worker.isDead()) return done();
        worker.once('exit', () => done());
        worker.process.kill('SIGTERM');
      }),
  );
  const kill = setTimeout(() => {
    for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
  }, stopWorkersMs);
  return Promise.all(exits).then(() => clearTimeout(kill));
}

/**
 * The primary: migrations once (so the workers never race them), then the
 * workers; `banner` prints what `serve` prints for one process.
 */
export async function servePrimary(config: Config, count: number, banner: (url: string) => string): Promise<void> {
  const db = openDatabase(config.db);
  try {
    await migrateToLatest(db);
  } finally {
    await db.close();
  }
  const running = new Set<ClusterWorker>();
  const started = new Map<ClusterWorker, number>();
  let stopping = false;
  const fork = (index: number) => {
    const worker = forkWorker(index);
    running.add(worker);
    started.set(worker, systemClock.now().getTime());
    worker.once('exit', (code, signal) => {
      running.delete(worker);
      if (stopping) return;
      const livedMs = systemClock.now().getTime() - (started.get(worker) ?? 0);
      process.stderr.write(`hub worker ${index} exited (${signal ?? code}) after ${livedMs} ms\n`);
      if (livedMs < restartWindowMs) {
        process.stderr.write('it died while starting; stopping the others\n');
        void stopAll(running).then(() => process.exit(1));
        return;
      }
      fork(index);
    });
    return worker;
  };
  const workers = Array.from({ length: count }, (_, index) => fork(index));
  const url = await untilAllListen(workers).catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    stopping = true;
    return stopAll(running).then(() => process.exit(1));
  });
  process.stdout.write(`${banner(url)}\n  workers:        ${count} processes\n`);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stopAll(running).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
