// `lintas torture`: the crash test on a scratch database of its own, made here and dropped afterwards.
import type { Command } from 'commander';
import { systemClock } from '../platform/index.ts';
import { formatReport } from './report.ts';
import { pgServerUrlDefault, scratchDatabase } from './scratch.ts';
import { runTorture } from './torture.ts';

type Flags = { seed?: string; kills?: string; engine?: string; pgUrl?: string; clients?: string; keep?: boolean };
type Engine = 'sqlite' | 'postgres';

const killsDefault = 20;
const lanesMax = 64;
const seedMax = 2 ** 32 - 1;

class FlagError extends Error {}

function integerFlag(text: string | undefined, name: string, range: { min: number; max: number }): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < range.min || value > range.max)
    throw new FlagError(`--${name} must be an integer from ${range.min} to ${range.max}, not "${text}"`);
  return value;
}

function engineOf(text: string | undefined): Engine {
  if (text === undefined || text === 'sqlite' || text === 'postgres') return text ?? 'sqlite';
  throw new FlagError(`--engine must be sqlite or postgres, not "${text}"`);
}

function secondsSince(startedMs: number): string {
  return ((systemClock.now().getTime() - startedMs) / 1000).toFixed(1);
}

async function run(flags: Flags): Promise<number> {
  const seed = integerFlag(flags.seed, 'seed', { min: 0, max: seedMax }) ?? systemClock.now().getTime() % seedMax;
  const kills = integerFlag(flags.kills, 'kills', { min: 0, max: 100_000 }) ?? killsDefault;
  const lanes = integerFlag(flags.clients, 'clients', { min: 1, max: lanesMax });
  const engine = engineOf(flags.engine);
  const serverUrl = flags.pgUrl ?? process.env.LINTAS_TEST_PG_URL ?? pgServerUrlDefault;
  const scratch = await scratchDatabase(engine, serverUrl, `lintas_torture_${seed}`);
  process.stdout.write(`torture: seed ${seed} on ${engine}, ${kills} kills; database ${scratch.db}\n`);
  const startedMs = systemClock.now().getTime();
  try {
    const report = await runTorture({
      seed,
      kills,
      db: scratch.db,
      dataDir: scratch.dataDir,
      ...(lanes === undefined ? {} : { lanes }),
      log: (line) => process.stdout.write(`  ${secondsSince(startedMs)} s: ${line}\n`),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    return report.violations.length === 0 && report.failures.length === 0 ? 0 : 1;
  } finally {
    if (flags.keep) process.stdout.write(`kept: database ${scratch.db}, data directory ${scratch.dataDir}\n`);
    else await scratch.drop();
  }
}

export function registerTortureCommand(program: Command): void {
  program
    .command('torture')
    .description(
      'the crash test: clients pay, refund and close windows while the hub is SIGKILLed at seeded moments and ' +
        'restarted; then every final answer is held against the database (exit 1 on anything lost or doubled)',
    )
    .option('--seed <n>', 'the seed of the schedule (kill moments, stories); default from the clock, printed')
    .option('--kills <k>', `how many times the hub is killed (default ${killsDefault})`)
    .option('--engine <engine>', 'sqlite or postgres (default sqlite)')
    .option('--pg-url <url>', `the PostgreSQL server a scratch database is made on (default ${pgServerUrlDefault})`)
    .option('--clients <n>', 'concurrent clients (default 8)')
    .option('--keep', 'keep the database and data directory afterwards')
    .action(async (flags: Flags) => {
      try {
        process.exitCode = await run(flags);
      } catch (error) {
        if (!(error instanceof FlagError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
