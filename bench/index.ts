// The benchmarks `lintas bench <name>` runs, each taking its own arguments.
import { runFspiopBench } from './fspiop.ts';
import { runPaymentsBench } from './payments/index.ts';
import { runQrBench } from './qr.ts';
import { runQrFuzz } from './qr-fuzz.ts';
import { runSettlementBench } from './settlement.ts';
import { runStartupBench } from './startup.ts';
import { runStatementsBench } from './statements.ts';

export const benches: Readonly<Record<string, (args: readonly string[]) => Promise<void>>> = {
  /**
   * Payments end to end beside a bare route and pgbench; `--seconds N`, `--engines a,b`, `--buyers 8,32,64`,
   * `--workers 1,2` (hub processes on PostgreSQL), `--growth 10000,10000000` (stored transfers).
   */
  payments: async (args) => {
    await runPaymentsBench({
      seconds: numberAfter(args, '--seconds'),
      engines: textAfter(args, '--engines'),
      buyers: textAfter(args, '--buyers'),
      workers: textAfter(args, '--workers'),
      growth: textAfter(args, '--growth'),
    });
  },
  /** P2P transfers between two real Mojaloop SDKs through the FSPIOP API, p50 at the payer; `--transfers N`. */
  fspiop: async (args) => {
    await runFspiopBench({ transfers: numberAfter(args, '--transfers') });
  },
  /** Decode with lenient validation against promptparse; `--seconds N` per contender. */
  qr: async (args) => {
    await runQrBench({ seconds: numberAfter(args, '--seconds') });
  },
  /** A million mutated payloads through decode; `--runs N`, `--seed N` to replay. */
  'qr-fuzz': async (args) => {
    runQrFuzz({ runs: numberAfter(args, '--runs'), seed: numberAfter(args, '--seed') });
  },
  /**
   * Close and report a window of 1,000,000 transfers; `--transfers N`, `--db <sqlite file | postgres:// URL>`,
   * `--keep`.
   */
  settlement: async (args) => {
    await runSettlementBench({
      transfers: numberAfter(args, '--transfers'),
      db: textAfter(args, '--db'),
      keep: args.includes('--keep'),
    });
  },
  /** CPU until `lintas serve` listens, from the build and from the sources. */
  startup: async () => {
    await runStartupBench();
  },
  /** A statement and a reconciliation of a million lines each; `--lines N`. */
  statements: async (args) => {
    await runStatementsBench({ lines: numberAfter(args, '--lines') });
  },
};

/** The number after `flag` among the arguments, if the flag is given. */
function numberAfter(args: readonly string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a non-negative number, got ${args[at + 1]}`);
  return value;
}

/** The text after `flag` among the arguments, if the flag is given. */
function textAfter(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}
