// `npm run bench -- startup`: the CPU a fresh `lintas serve` spends until it listens (new SQLite file:
// migrations, keys, routes), from the build (dist/lintas.mjs) and, as the baseline in the same run, from the
// TypeScript sources through tsx. Also its resident memory once listening.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/platform/index.ts';
import { hubProcess } from '../src/torture/index.ts';
import { buildHub } from './build.ts';
import { cpuMsOf, peakRssMibOf } from './payments/proc.ts';

const runs = 3;

type Start = { cpuMs: number; rssMib: number };

/** A first start (migrations, the hub's keys) and a restart on the same data, as an operator's restart is. */
async function startTwice(fromSources: boolean): Promise<{ first: Start; restart: Start }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lintas-startup-'));
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('LINTAS_'));
  const hub = hubProcess({
    port: await freePort(),
    db: join(dataDir, 'hub.sqlite'),
    dataDir,
    env: { ...Object.fromEntries(inherited), LINTAS_LOG_LEVEL: 'warn', LINTAS_FROM_SOURCES: fromSources ? '1' : '0' },
  });
  const once = async (): Promise<Start> => {
    await hub.start();
    const pid = hub.pid() ?? 0;
    const start = { cpuMs: cpuMsOf(pid), rssMib: peakRssMibOf(pid) };
    await hub.stop();
    return start;
  };
  try {
    return { first: await once(), restart: await once() };
  } finally {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function medianOf(starts: Start[]): Start {
  const sorted = [...starts].sort((a, b) => a.cpuMs - b.cpuMs);
  return sorted[Math.floor(sorted.length / 2)] ?? { cpuMs: Number.NaN, rssMib: Number.NaN };
}

async function median(fromSources: boolean) {
  const measured = [];
  for (let run = 0; run < runs; run += 1) measured.push(await startTwice(fromSources));
  return { first: medianOf(measured.map((m) => m.first)), restart: medianOf(measured.map((m) => m.restart)) };
}

export async function runStartupBench(): Promise<void> {
  buildHub();
  const sources = await median(true);
  const built = await median(false);
  const line = (name: string, value: Start) =>
    `${name.padEnd(28)} ${value.cpuMs.toFixed(0).padStart(6)} ms CPU until listening, ${value.rssMib.toFixed(0)} MiB peak RSS`;
  process.stdout.write(
    [
      `lintas serve on a fresh SQLite file, median of ${runs}:`,
      line('first start, build (dist)', built.first),
      line('first start, sources (tsx)', sources.first),
      line('restart, build (dist)', built.restart),
      line('restart, sources (tsx)', sources.restart),
      `ratio build / sources: first ${(built.first.cpuMs / sources.first.cpuMs).toFixed(2)}, restart ${(
        built.restart.cpuMs / sources.restart.cpuMs
      ).toFixed(2)}`,
      '',
    ].join('\n'),
  );
}
