import { Counter, type Metric } from 'prom-client';
import type { DatabaseCounters } from './sqlite-statements.ts';

/** The process's statement and commit counts, read when /metrics is scraped. */
export function databaseMetrics(counters: DatabaseCounters, engine: 'sqlite' | 'postgres'): Metric[] {
  const statements = new Counter({
    name: 'lintas_db_statements_total',
    help: 'SQL statements this process ran',
    registers: [],
    collect() {
      this.reset();
      this.inc(counters.statements);
    },
  });
  if (engine === 'postgres') return [statements];
  const commits = new Counter({
    name: 'lintas_db_commits_total',
    help: 'SQLite transactions this process committed (a write outside a transaction counts as one)',
    registers: [],
    collect() {
      this.reset();
      this.inc(counters.commits);
    },
  });
  const flushes = new Counter({
    name: 'lintas_db_flushes_total',
    help: 'SQLite WAL flushes to the disk, each covering every commit before it',
    registers: [],
    collect() {
      this.reset();
      this.inc(counters.flushes);
    },
  });
  return [statements, commits, flushes];
}
