// The measured part of `npm run bench -- settlement`, in a process of its
// own: a naive full-scan sum as the baseline, then the close (window flip,
// aggregates, events) and the report of the window, with the process's peak RSS.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { sql } from 'kysely';
import { createAuditWriter } from '../src/audit/index.ts';
import { readSettings } from '../src/config.ts';
import type { HubContext } from '../src/context.ts';
import { openDatabase } from '../src/db/index.ts';
import { createFetchHttpPort } from '../src/http/index.ts';
import { Secret, cryptoRandom, systemClock } from '../src/platform/index.ts';
import { closeWindow, readReport, reportCsv } from '../src/settlement/index.ts';

export type Measured = {
  rssBeforeWorkBytes: number;
  baselineMs: number;
  closeMs: number;
  reportMs: number;
  peakRssBytes: number;
  participants: number;
  lines: number;
  bilateral: number;
  counts: { transfers: number; payments: number; refunds: number };
  netsByCurrency: Record<string, number>;
};

/**
 * The process's peak resident set. On Linux from /proc (VmHWM): the rusage
 * figure (maxRSS) carries the parent's peak across fork and exec, so a
 * child spawned by a big parent would report the parent's memory.
 */
function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to rusage below
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** One pass over the window's transfers, summing what a report sums: the floor under any report. */
async function naiveFullScanSum(ctx: HubContext, windowId: string): Promise<void> {
  await sql`select count(*), sum(amount), sum(interchange), sum(issuer_switch_fee), sum(acquirer_switch_fee) from
    transfers where window_id = ${windowId}`.execute(ctx.db.kysely);
}

export async function measureCloseAndReport(location: string, windowId: string): Promise<Measured> {
  const settings = readSettings({ db: location }, {});
  // Nothing here seals or signs: no operator token or master key is read.
  const config = {
    ...settings,
    operatorToken: new Secret('unused'),
    operatorTokenFile: undefined,
    masterKey: new Secret('unused'),
  };
  const db = openDatabase(location);
  const ctx: HubContext = {
    db,
    clock: systemClock,
    random: cryptoRandom,
    config,
    logger: pino({ level: 'silent' }),
    audit: createAuditWriter(systemClock, cryptoRandom),
    http: createFetchHttpPort({ allowPrivate: true }),
  };
  const rssBeforeWorkBytes = process.memoryUsage().rss;
  try {
    await naiveFullScanSum(ctx, windowId); // warms the caches for both contenders alike
    let started = performance.now();
    await naiveFullScanSum(ctx, windowId);
    const baselineMs = performance.now() - started;

    started = performance.now();
    const closed = await closeWindow(ctx, { actor: { type: 'operator', id: 'bench' } });
    const closeMs = performance.now() - started;
    if (closed?.id !== windowId) throw new Error(`closed ${closed?.id}, not the bench window ${windowId}`);

    started = performance.now();
    const report = await readReport(ctx, windowId, { type: 'all' });
    if (!report.ok) throw new Error(report.detail);
    const csv = reportCsv(report.value);
    const reportMs = performance.now() - started;

    const netsByCurrency: Record<string, number> = {};
    for (const line of report.value.lines)
      netsByCurrency[line.currency] = (netsByCurrency[line.currency] ?? 0) + line.net;
    return {
      rssBeforeWorkBytes,
      baselineMs,
      closeMs,
      reportMs,
      peakRssBytes: peakRssBytes(),
      participants: new Set(report.value.lines.map((line) => line.participantId)).size - 1,
      lines: csv.split('\r\n').length - 2,
      bilateral: report.value.bilateral.length,
      counts: report.value.counts,
      netsByCurrency,
    };
  } finally {
    await db.close();
  }
}

// Run as a script by the bench: `node --import tsx bench/settlement-measure.ts <db> <windowId>`; prints one JSON line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [location, windowId] = process.argv.slice(2);
  if (location === undefined || windowId === undefined) throw new Error('usage: settlement-measure.ts <db> <windowId>');
  process.stdout.write(`${JSON.stringify(await measureCloseAndReport(location, windowId))}\n`);
}
