// `npm run bench -- payments`: payments end to end against a real hub process, beside baselines measured in
// the same run on the same machine (a bare Fastify route driven by the same load generator, and pgbench's
// TPC-B on the same PostgreSQL server). Per point: completed payments/s, p50/p99 per step, the hub's CPU
// milliseconds per completed payment (from /proc, comparable on a busy machine), statements and commits per
// payment, and the hub's peak RSS. Written to bench/results/payments.json.
//
//   npm run bench -- payments [--seconds N] [--engines sqlite,postgres] [--buyers 8,32,64] [--workers 1,2]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { freePort } from '../../src/platform/index.ts';
import { type ScratchEngine, pgServerUrlDefault, scratchDatabase } from '../../src/torture/index.ts';
import { buildHub } from '../build.ts';
import { type BatchPoint, benchBatch } from './batch.ts';
import { startBareServer, bareRound } from './bare.ts';
import { createSender } from './client.ts';
import { benchGrowth } from './growth.ts';
import { startBenchHub } from './hub.ts';
import { type Tally, closedLoop, openLoop, payOnce } from './load.ts';
import { type Point, measure } from './measure.ts';
import { runPgbench } from './pgbench.ts';
import { cpuMsOf } from './proc.ts';
import { printReport } from './report.ts';
import { type Shape, seedWorld, startReceivers } from './world.ts';

export type PaymentsBenchArgs = {
  seconds?: number | undefined;
  engines?: string | undefined;
  buyers?: string | undefined;
  /** Hub processes to measure PostgreSQL with, such as `1,2` (SQLite is always one). */
  workers?: string | undefined;
  /** Stored transfers to measure growth at, such as `10000,10000000`; none: the growth scenario is not run. */
  growth?: string | undefined;
};
export type EngineResult = {
  engine: ScratchEngine;
  workers: number;
  points: Point[];
  batch: BatchPoint;
  peakRssMib: number;
};
export type PaymentsResults = {
  date: string;
  machine: { cpus: number; node: string };
  bare: Point;
  pgbench?: { clients: number; seconds: number; tps: number };
  engines: EngineResult[];
  growth: Point[];
};

const resultsFile = fileURLToPath(new URL('../results/payments.json', import.meta.url));
/** Payments spread over several wallets and acquirers, and one hot pair: every payment one wallet to one acquirer. */
const spread: Shape = { name: 'spread', wallets: 4, acquirers: 2 };
const hotPair: Shape = { name: 'hot', wallets: 1, acquirers: 1 };
const warmupSeconds = 3;
const connectionsMax = 64;
const batchItems = 1_000;
const batchesPerRun = 3;

function listOf(text: string | undefined, fallback: string): string[] {
  return (text ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function progress(label: string, seconds: number) {
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(34)} |{bar}| {payments} payments`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let payments = 0;
  const started = performance.now();
  bar.start(seconds, 0, { payments });
  const timer = setInterval(
    () => bar.update(Math.min(seconds, (performance.now() - started) / 1000), { payments }),
    250,
  );
  return {
    onPayment: () => {
      payments += 1;
    },
    done: () => {
      clearInterval(timer);
      bar.update(seconds, { payments });
      bar.stop();
    },
  };
}

async function withProgress(label: string, seconds: number, run: (onPayment: () => void) => Promise<Tally>) {
  const bar = progress(label, seconds);
  try {
    return await run(bar.onPayment);
  } finally {
    bar.done();
  }
}

async function benchBare(seconds: number, buyers: number): Promise<Point> {
  const server = await startBareServer(await freePort());
  const sender = createSender(server.url, connectionsMax);
  try {
    await closedLoop((tally) => bareRound(sender.send, tally), { buyers, seconds: 1 });
    return await measure(`bare Fastify route, ${buyers} buyers`, { cpuMs: () => cpuMsOf(server.pid) }, () =>
      withProgress('bare route (4 requests a round)', seconds, (onPayment) =>
        closedLoop((tally) => bareRound(sender.send, tally), { buyers, seconds, onPayment }),
      ),
    );
  } finally {
    await sender.close();
    await server.stop();
  }
}

type EngineRun = { engine: ScratchEngine; workers: number; seconds: number; buyersList: number[] };

async function benchEngine({ engine, workers, seconds, buyersList }: EngineRun): Promise<EngineResult> {
  const scratch = await scratchDatabase(engine, process.env.LINTAS_TEST_PG_URL ?? pgServerUrlDefault, 'lintas_bench');
  const receivers = await startReceivers();
  // LINTAS_BENCH_PROFILE=<folder>: the hub writes a V8 CPU profile there when it stops.
  const profile = process.env.LINTAS_BENCH_PROFILE;
  const hub = await startBenchHub(scratch, {
    workers,
    nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  });
  const name = workers === 1 ? engine : `${engine} ×${workers} processes`;
  const sender = createSender(hub.url, connectionsMax);
  try {
    const world = await seedWorld(sender.send, hub.operatorToken, receivers.url, spread);
    const hot = await seedWorld(sender.send, hub.operatorToken, receivers.url, hotPair);
    const target = { cpuMs: hub.cpuMs, counters: hub.counters, postgres: engine === 'postgres' };
    const pay = (tally: Tally) => payOnce(sender.send, world, tally);
    await closedLoop(pay, { buyers: 8, seconds: warmupSeconds });
    const points: Point[] = [];
    for (const buyers of buyersList) {
      const label = `${name}, ${buyers} buyers`;
      points.push(
        await measure(label, target, () =>
          withProgress(label, seconds, (onPayment) => closedLoop(pay, { buyers, seconds, onPayment })),
        ),
      );
    }
    const best = Math.max(...points.map((point) => point.perSecond));
    const half = Math.max(1, Math.round(best / 2));
    const halfLabel = `${name}, ${half}/s (half the best)`;
    points.push(
      await measure(halfLabel, target, () =>
        withProgress(halfLabel, seconds, (onPayment) => openLoop(pay, { perSecond: half, seconds, onPayment })),
      ),
    );
    const hotBuyers = buyersList[buyersList.length - 1] ?? 32;
    const hotLabel = `${name}, one hot pair, ${hotBuyers} buyers`;
    const payHot = (tally: Tally) => payOnce(sender.send, hot, tally);
    points.push(
      await measure(hotLabel, target, () =>
        withProgress(hotLabel, seconds, (onPayment) => closedLoop(payHot, { buyers: hotBuyers, seconds, onPayment })),
      ),
    );
    const batch = await benchBatch(sender.send, hot, hub.cpuMs, {
      label: `${name}, batches of ${batchItems}`,
      itemsPerBatch: batchItems,
      batches: batchesPerRun,
    });
    return { engine, workers, points, batch, peakRssMib: Math.round(hub.peakRssMib()) };
  } finally {
    await sender.close();
    await hub.stop();
    await receivers.close();
    await scratch.drop();
  }
}

export async function runPaymentsBench(args: PaymentsBenchArgs): Promise<PaymentsResults> {
  const seconds = args.seconds ?? 10;
  const engines = listOf(args.engines, 'sqlite,postgres') as ScratchEngine[];
  const buyersList = listOf(args.buyers, '8,32,64').map(Number);
  buildHub();
  const bare = await benchBare(seconds, 32);
  const results: PaymentsResults = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    bare,
    engines: [],
    growth: [],
  };
  if (engines.includes('postgres'))
    results.pgbench = await runPgbench(process.env.LINTAS_TEST_PG_URL ?? pgServerUrlDefault, { clients: 16, seconds });
  const workersList = listOf(args.workers, '1,2').map(Number);
  for (const engine of engines)
    for (const workers of engine === 'postgres' ? workersList : [1])
      results.engines.push(await benchEngine({ engine, workers, seconds, buyersList }));
  const sizes = listOf(args.growth, '').map(Number);
  for (const engine of engines)
    if (sizes.length > 0)
      results.growth.push(...(await benchGrowth(engine, sizes, seconds, (line) => process.stdout.write(`${line}\n`))));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  printReport(results);
  return results;
}
