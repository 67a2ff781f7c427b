/** What a torture run prints: its seed and figures, then each violation, grouped by kind. */
import type { Kill } from './driver.ts';
import { type Journal, type RetryReason, isSuccess } from './model.ts';
import type { Receivers } from './receivers.ts';
import type { Violation, ViolationKind } from './violations.ts';

export type TortureReport = {
  seed: number;
  engine: 'sqlite' | 'postgres';
  kills: number;
  /** Kills that cut at least one client request. */
  killsInFlight: number;
  lives: number;
  seconds: number;
  stories: number;
  /** Logical operations (one Idempotency-Key each), setup excluded. */
  operations: number;
  finals: number;
  requests: number;
  retries: Record<RetryReason, number>;
  /** Final refusals the clients heard, by problem code. */
  refusals: Record<string, number>;
  payments: number;
  refunds: number;
  closes: number;
  eventsReceived: number;
  deliveriesReceived: number;
  ledgerCheck: { passed: boolean; output: string };
  violations: Violation[];
  /** What kept the run from being judged whole: a hub that would not start again, a story that threw. */
  failures: string[];
};

export function countsOf(journal: Journal, receivers: Receivers, kills: readonly Kill[]) {
  const ops = journal.ops.filter((op) => op.kind !== 'setup');
  const refusals: Record<string, number> = {};
  for (const op of ops)
    if (op.final && !isSuccess(op.final)) {
      const code = op.final.code ?? String(op.final.status);
      refusals[code] = (refusals[code] ?? 0) + 1;
    }
  const succeeded = (kind: string) => ops.filter((op) => op.kind === kind && isSuccess(op.final)).length;
  const received = [...receivers.received.values()];
  return {
    kills: kills.length,
    killsInFlight: kills.filter((kill) => kill.inFlight > 0).length,
    operations: ops.length,
    finals: ops.filter((op) => op.final !== undefined).length,
    requests: journal.counters.requests,
    retries: { ...journal.counters.retries },
    refusals,
    payments: succeeded('transfer') + ops.filter((op) => op.kind === 'charge' && op.settled === 'succeeded').length,
    refunds: succeeded('refund'),
    closes: succeeded('close'),
    eventsReceived: received.length,
    deliveriesReceived: received.reduce((sum, entry) => sum + entry.count, 0),
  };
}

const kinds: readonly ViolationKind[] = ['lost', 'doubled', 'broken'];
/** Violations printed per kind; the rest are counted. */
const shownPerKind = 25;

function violationLines(violations: readonly Violation[]): string[] {
  const lines: string[] = [];
  for (const kind of kinds) {
    const ofKind = violations.filter((violation) => violation.kind === kind);
    for (const violation of ofKind.slice(0, shownPerKind))
      lines.push(`  ${kind} [${violation.check}] ${violation.detail}`);
    if (ofKind.length > shownPerKind) lines.push(`  … and ${ofKind.length - shownPerKind} more ${kind}`);
  }
  return lines;
}

function listed(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

export function formatReport(report: TortureReport): string {
  const count = (kind: ViolationKind) => report.violations.filter((violation) => violation.kind === kind).length;
  const unfinished = report.operations - report.finals;
  return [
    `torture: seed ${report.seed} on ${report.engine}, ${report.kills} kills (${report.killsInFlight} with requests ` +
      `in flight), ${report.lives} hub lives, ${report.seconds} s`,
    `  operations ${report.operations} in ${report.stories} stories: ${report.finals} final, ${unfinished} unfinished`,
    `  requests ${report.requests}; retries: ${listed(report.retries)}`,
    `  payments ${report.payments}, refunds ${report.refunds}, window closes ${report.closes}`,
    `  final refusals: ${listed(report.refusals)}`,
    `  events received ${report.eventsReceived} (${report.deliveriesReceived} deliveries)`,
    `  ledger check: ${report.ledgerCheck.passed ? 'passed' : `FAILED: ${report.ledgerCheck.output}`}`,
    `  lost ${count('lost')}, doubled ${count('doubled')}, broken ${count('broken')}`,
    ...violationLines(report.violations),
    ...report.failures.map((failure) => `  failure: ${failure}`),
  ].join('\n');
}
