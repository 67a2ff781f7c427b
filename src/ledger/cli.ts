// `lintas ledger check`. Output and the exit code go through `LedgerCliIo`,
// so tests drive the command without a process.
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { ConfigError, readSettings, redactUrl } from '../config.ts';
import { isPostgresUrl, openDatabase } from '../db/index.ts';
import { type ProgressBar, terminalProgress } from '../platform/index.ts';
import { checkLedger } from './check.ts';

export type LedgerCliIo = {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly setExitCode: (code: number) => void;
  readonly env: NodeJS.ProcessEnv;
  /** A progress bar for the check's passes, or none. */
  readonly progress?: () => ProgressBar;
};

const processIo: LedgerCliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  env: process.env,
  progress: () => terminalProgress('ledger check'),
};

/** Exit codes: 0 the ledger holds, 1 it does not, 2 it could not be checked. */
const exitViolation = 1;
const exitCannotCheck = 2;

export function registerLedgerCommands(program: Command, io: LedgerCliIo = processIo): void {
  const ledger = program.command('ledger').description('the double-entry ledger of transfers and positions');
  ledger
    .command('check')
    .description('prove the ledger invariants on a whole database; exit 1 with the first violation')
    .addOption(
      new Option(
        '--db <location>',
        'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)',
      ),
    )
    .action(async (flags: { db?: string }) => {
      const location = databaseLocation(flags, io);
      if (location !== undefined) await runCheck(location, io);
    });
}

/**
 * The same resolution as `serve`: flag, then LINTAS_DB, then the data
 * directory's lintas.sqlite. A check only reads, so unlike `serve` it makes
 * no secret files and never creates a missing database.
 */
function databaseLocation(flags: { db?: string }, io: LedgerCliIo): string | undefined {
  try {
    const location = readSettings({ db: flags.db }, io.env).db;
    if (isPostgresUrl(location) || existsSync(location)) return location;
    io.err(
      `no database at ${location}: run the command in the folder the hub was started from, or give the ` +
        'database (--db or LINTAS_DB)\n',
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.line}\n`);
  }
  io.setExitCode(exitCannotCheck);
  return undefined;
}

async function runCheck(location: string, io: LedgerCliIo): Promise<void> {
  const database = openDatabase(location);
  try {
    const bar = io.progress?.();
    const verdict = await checkLedger(database.kysely, bar?.update).finally(() => bar?.stop());
    if (verdict.ok) {
      const { transfers, entries, positions, currencies, windows } = verdict.value;
      io.out(
        `ledger check passed on ${redactUrl(location)}: ${transfers} transfers, ${entries} entries, ${positions} ` +
          `positions, ${currencies} currencies, ${windows} windows\n` +
          '  every transfer and settlement balances; every committed transfer sits in one window; reports equal ' +
          'their transfers;\n' +
          '  settled windows cancel account by account; positions equal their entries; each currency sums to zero ' +
          'with the hub account;\n' +
          '  reservations equal what their commits will debit; refunded amounts and returned interchange equal ' +
          'their refunds\n',
      );
      io.setExitCode(0);
    } else {
      io.out(`ledger check FAILED on ${redactUrl(location)}: ${verdict.code}: ${verdict.detail}\n`);
      io.setExitCode(exitViolation);
    }
  } catch (error) {
    io.err(
      `cannot check the ledger in ${redactUrl(location)}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    io.setExitCode(exitCannotCheck);
  } finally {
    await database.close();
  }
}
