/** A hub under the bench: `lintas serve` in its own process on a scratch database, and what it counted. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../../src/platform/index.ts';
import { type HubProcess, type Scratch, hubProcess } from '../../src/torture/index.ts';
import { peakRssMibOf, processTreeOf, treeCpuMsOf } from './proc.ts';

export type BenchHub = {
  url: string;
  operatorToken: string;
  process: HubProcess;
  /** CPU milliseconds of every process of the hub (the primary and its workers). */
  cpuMs(): number;
  /** Peak resident memory of the hub's processes, summed. */
  peakRssMib(): number;
  /**
   * Statements (and, on SQLite, commits) the hub counted; commits on PostgreSQL from the server's statistics.
   * With several workers /metrics answers for one of them: statements are not counted (NaN).
   */
  counters(): Promise<{ statements: number; commits: number }>;
  stop(): Promise<void>;
};

function counterIn(metrics: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : Number.NaN;
}

async function postgresCommits(db: string): Promise<number> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    // The statistics are sent at the end of each transaction, in batches: a fresh snapshot is asked for.
    await client.query('select pg_stat_clear_snapshot()');
    const result = await client.query<{ commits: string }>(
      'select xact_commit::text as commits from pg_stat_database where datname = current_database()',
    );
    return Number(result.rows[0]?.commits ?? Number.NaN);
  } finally {
    await client.end();
  }
}

export type BenchHubOptions = { nodeFlags?: readonly string[]; workers?: number };

export async function startBenchHub(scratch: Scratch, options: BenchHubOptions = {}): Promise<BenchHub> {
  const workers = options.workers ?? 1;
  const operatorToken = `op_bench_${randomBytes(16).toString('hex')}`;
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('LINTAS_'));
  const hub = hubProcess({
    port: await freePort(),
    db: scratch.db,
    dataDir: scratch.dataDir,
    env: {
      ...Object.fromEntries(inherited),
      LINTAS_OPERATOR_TOKEN: operatorToken,
      LINTAS_MASTER_KEY: randomBytes(32).toString('base64url'),
      LINTAS_ALLOW_PRIVATE_URLS: '1',
      LINTAS_LOG_LEVEL: 'warn',
      LINTAS_WORKERS: String(workers),
    },
    nodeFlags: options.nodeFlags ?? [],
  });
  await hub.start();
  const postgres = scratch.db.startsWith('postgres');
  return {
    url: hub.url,
    operatorToken,
    process: hub,
    cpuMs: () => treeCpuMsOf(hub.pid() ?? 0),
    peakRssMib: () => processTreeOf(hub.pid() ?? 0).reduce((total, pid) => total + peakRssMibOf(pid), 0),
    counters: async () => {
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      const statements = workers === 1 ? counterIn(metrics, 'lintas_db_statements_total') : Number.NaN;
      const commits = postgres ? await postgresCommits(scratch.db) : counterIn(metrics, 'lintas_db_commits_total');
      return { statements, commits };
    },
    stop: async () => void (await hub.stop()),
  };
}
