/**
 * The growth scenario: the same payments against a hub whose database already holds N transfers (their
 * ledger entries and positions), seeded in bulk inside the database by the settlement bench's world, so
 * the cost of a payment can be compared at 10 thousand and at 10 million stored transfers.
 */
import { sql } from 'kysely';
import { isPostgres, migrateToLatest, openDatabase } from '../../src/db/index.ts';
import { type ScratchEngine, pgServerUrlDefault, scratchDatabase } from '../../src/torture/index.ts';
import { insertBenchWorld } from '../settlement-world.ts';
import { createSender } from './client.ts';
import { startBenchHub } from './hub.ts';
import { type Tally, closedLoop, payOnce } from './load.ts';
import { type Point, measure } from './measure.ts';
import { seedWorld, startReceivers } from './world.ts';

const buyers = 8;
const warmupSeconds = 3;

async function seedTransfers(location: string, transfers: number): Promise<void> {
  const database = openDatabase(location);
  try {
    await migrateToLatest(database);
    if (!isPostgres(database.kysely)) await sql`pragma synchronous = off`.execute(database.kysely);
    await insertBenchWorld(database, { transfers, participants: 20, merchantsPerParticipant: 10 });
    await sql`analyze`.execute(database.kysely);
    if (isPostgres(database.kysely)) await sql`vacuum (analyze) transfers`.execute(database.kysely);
    else await sql`pragma wal_checkpoint(truncate)`.execute(database.kysely);
  } finally {
    await database.close();
  }
}

export async function benchGrowth(
  engine: ScratchEngine,
  sizes: readonly number[],
  seconds: number,
  log: (line: string) => void,
): Promise<Point[]> {
  const points: Point[] = [];
  for (const transfers of sizes) {
    const scratch = await scratchDatabase(engine, process.env.LINTAS_TEST_PG_URL ?? pgServerUrlDefault, 'lintas_grow');
    const receivers = await startReceivers();
    try {
      const seedStarted = performance.now();
      await seedTransfers(scratch.db, transfers);
      log(
        `${engine}: ${transfers.toLocaleString('en')} transfers seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`,
      );
      const hub = await startBenchHub(scratch);
      const sender = createSender(hub.url, buyers);
      try {
        const world = await seedWorld(sender.send, hub.operatorToken, receivers.url, {
          name: 'grow',
          wallets: 4,
          acquirers: 2,
        });
        const pay = (tally: Tally) => payOnce(sender.send, world, tally);
        await closedLoop(pay, { buyers, seconds: warmupSeconds });
        const label = `${engine}, ${transfers.toLocaleString('en')} stored transfers, ${buyers} buyers`;
        const target = { cpuMs: hub.cpuMs, counters: hub.counters, postgres: engine === 'postgres' };
        points.push(await measure(label, target, () => closedLoop(pay, { buyers, seconds })));
      } finally {
        await sender.close();
        await hub.stop();
      }
    } finally {
      await receivers.close();
      await scratch.drop();
    }
  }
  return points;
}
