/** One measured point: a load against a process, and what it cost that process per completed payment. */
import type { Tally } from './load.ts';
import { percentileMs, steps } from './load.ts';
import { postgresCpuMs } from './proc.ts';

export type Point = {
  label: string;
  perSecond: number;
  completed: number;
  refused: Record<string, number>;
  cpuMsPerPayment: number;
  databaseCpuMsPerPayment?: number;
  statementsPerPayment?: number;
  commitsPerPayment?: number;
  stepsMs: Record<string, { p50: number; p99: number }>;
};

export type Counters = () => Promise<{ statements: number; commits: number }>;

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export async function measure(
  label: string,
  target: { cpuMs: () => number; counters?: Counters; postgres?: boolean },
  load: () => Promise<Tally>,
): Promise<Point> {
  const countersBefore = await target.counters?.();
  const cpuBefore = target.cpuMs();
  const databaseBefore = target.postgres ? postgresCpuMs() : 0;
  const started = performance.now();
  const tally = await load();
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = target.cpuMs() - cpuBefore;
  const databaseMs = target.postgres ? postgresCpuMs() - databaseBefore : 0;
  const countersAfter = await target.counters?.();
  const completed = Math.max(tally.completed, 1);
  const stepsMs = Object.fromEntries(
    steps.map((step) => [
      step,
      {
        p50: round(percentileMs(tally.latenciesMs[step], 0.5)),
        p99: round(percentileMs(tally.latenciesMs[step], 0.99)),
      },
    ]),
  );
  return {
    label,
    perSecond: round(tally.completed / seconds, 1),
    completed: tally.completed,
    refused: tally.refused,
    cpuMsPerPayment: round(cpuMs / completed, 3),
    ...(target.postgres ? { databaseCpuMsPerPayment: round(databaseMs / completed, 3) } : {}),
    ...(countersBefore && countersAfter
      ? {
          statementsPerPayment: round((countersAfter.statements - countersBefore.statements) / completed, 1),
          commitsPerPayment: round((countersAfter.commits - countersBefore.commits) / completed, 1),
        }
      : {}),
    stepsMs,
  };
}
