/** pgbench's TPC-B on the same PostgreSQL server, in the same run: what the server does alone. */
import { spawnSync } from 'node:child_process';
import { onPostgresServer } from '../../src/torture/index.ts';

export type PgbenchResult = { clients: number; seconds: number; tps: number };

export async function runPgbench(serverUrl: string, options: { clients: number; seconds: number }) {
  const database = `lintas_pgbench_${process.pid}`;
  await onPostgresServer(serverUrl, `create database ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  try {
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '10', url.toString()], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    const args = ['-c', String(options.clients), '-j', '2', '-T', String(options.seconds), '-M', 'prepared'];
    const run = spawnSync('pgbench', [...args, url.toString()], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
    const match = /tps = ([\d.]+)/.exec(run.stdout);
    if (!match) throw new Error(`pgbench printed no tps: ${run.stdout}`);
    return { clients: options.clients, seconds: options.seconds, tps: Number(match[1]) } satisfies PgbenchResult;
  } finally {
    await onPostgresServer(serverUrl, `drop database if exists ${database} with (force)`);
  }
}
