/**
 * The crash test's short run, part of `npm test` on each engine: the hub killed at least ten times under
 * load, then nothing a client heard as final may be lost or doubled. A failure prints the run's report;
 * `LINTAS_TORTURE_SEED=<seed>` runs the same schedule again (kill moments and stories; the interleaving of
 * real processes is the machine's), `LINTAS_TORTURE_KILLS=<k>` a longer one.
 */
import { expect, test } from 'vitest';
import { createTestDatabase, testEngine } from '../testing/index.ts';
import { formatReport, runTorture } from './index.ts';

const seed = Number(process.env.LINTAS_TORTURE_SEED ?? 1);
const kills = Number(process.env.LINTAS_TORTURE_KILLS ?? 10);
/**
 * Ten lives of 2 to 8 s each (a start on a loaded machine, then up to 1.2 s up), then up to 60 s while keys
 * that kills left locked free themselves, the drain, and the audit.
 */
const runTimeoutMs = 420_000;

test(
  `the crash test on ${testEngine()}: ${kills} kills, nothing lost or doubled (seed ${seed})`,
  async () => {
    const database = await createTestDatabase();
    try {
      const report = await runTorture({ seed, kills, db: database.location, dataDir: database.dataDir });
      const printed = formatReport(report);
      console.log(printed);
      expect(report.kills, printed).toBe(kills);
      expect(report.killsInFlight, printed).toBeGreaterThan(0);
      expect(report.payments, printed).toBeGreaterThan(0);
      expect(report.failures, printed).toEqual([]);
      expect(report.ledgerCheck.passed, printed).toBe(true);
      expect(report.violations, printed).toEqual([]);
    } finally {
      await database.drop();
    }
  },
  runTimeoutMs,
);
