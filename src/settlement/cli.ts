// `lintas settle close | report <windowId> [--csv] | settle <windowId>`:
// the operator's settlement from the command line, on the hub's database.
// Output and the exit code go through `SettleCliIo`, so tests drive the
// commands without a process; the progress bar shows on a terminal only.
import { type Command, Option } from 'commander';
import { type Actor, createAuditWriter } from '../audit/index.ts';
import { CommandRefusal, type Config, ConfigError, loadExistingConfig, redactUrl } from '../config.ts';
import type { HubContext } from '../context.ts';
import { openDatabase } from '../db/index.ts';
import { createFetchHttpPort } from '../http/index.ts';
import { type ProgressBar, cryptoRandom, systemClock, terminalProgress } from '../platform/index.ts';
import { pino } from 'pino';
import { reportCsv } from './model.ts';
import { closeWindow, readReport, settleWindow } from './service.ts';

export type SettleCliIo = {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly setExitCode: (code: number) => void;
  readonly env: NodeJS.ProcessEnv;
  /** A progress bar for long work, or none. */
  readonly progress: () => ProgressBar;
};

const processIo: SettleCliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  env: process.env,
  progress: () => terminalProgress('settle'),
};

/** Exit codes: 0 done, 1 refused (not found, not closed, already settled), 2 could not run. */
const exitRefused = 1;
/** Who the audit trail says closed or settled: the operator, at the hub's command line. */
const cliActor: Actor = { type: 'operator', id: 'lintas-cli' };
const exitCannotRun = 2;

type Flags = { db?: string; dataDir?: string };

function withDatabase(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--db <location>',
        'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)',
      ),
    )
    .addOption(new Option('--data-dir <dir>', 'data directory (env LINTAS_DATA_DIR; default ./data)'));
}

export function registerSettleCommands(program: Command, io: SettleCliIo = processIo): void {
  const settle = program
    .command('settle')
    .description('settlement windows: close the open one, read a report, record a settlement');
  withDatabase(settle.command('close').description('close the open window, make its report and open the next')).action(
    (flags: Flags) =>
      run(flags, io, async (ctx) => {
        const bar = io.progress();
        const closed = await closeWindow(ctx, { actor: cliActor, progress: bar.update }).finally(bar.stop);
        io.out(`${JSON.stringify(closed, null, 2)}\n`);
        return 0;
      }),
  );
  withDatabase(
    settle.command('report').argument('<windowId>').description("a closed window's report, as JSON or --csv"),
  )
    .option('--csv', 'the lines as CSV (RFC 4180)')
    .action((windowId: string, flags: Flags & { csv?: boolean }) =>
      run(flags, io, async (ctx) => {
        const report = await readReport(ctx, windowId, { type: 'all' });
        if (!report.ok) return refused(io, report);
        io.out(flags.csv ? reportCsv(report.value) : `${JSON.stringify(report.value, null, 2)}\n`);
        return 0;
      }),
    );
  withDatabase(
    settle
      .command('settle')
      .argument('<windowId>')
      .description("record that a closed window's money moved: post minus each net"),
  ).action((windowId: string, flags: Flags) =>
    run(flags, io, async (ctx) => {
      const bar = io.progress();
      const settled = await settleWindow(ctx, windowId, { actor: cliActor, progress: bar.update }).finally(bar.stop);
      if (!settled.ok) return refused(io, settled);
      io.out(`${JSON.stringify(settled.value, null, 2)}\n`);
      return 0;
    }),
  );
}

function refused(io: SettleCliIo, refusal: { code: string; detail: string }): number {
  io.err(`${refusal.code}: ${refusal.detail}\n`);
  return exitRefused;
}

/** Opens the hub's database (never creating a missing SQLite file), runs the work, closes it. */
async function run(flags: Flags, io: SettleCliIo, work: (ctx: HubContext) => Promise<number>): Promise<void> {
  let config: Config;
  try {
    config = loadExistingConfig({ db: flags.db, dataDir: flags.dataDir }, io.env);
  } catch (error) {
    if (error instanceof ConfigError) io.err(`${error.line}\n`);
    else if (error instanceof CommandRefusal) io.err(`${error.message}\n`);
    else throw error;
    return io.setExitCode(exitCannotRun);
  }
  const db = openDatabase(config.db);
  const logger = pino({ level: 'silent' });
  const ctx: HubContext = {
    db,
    clock: systemClock,
    random: cryptoRandom,
    config,
    logger,
    audit: createAuditWriter(systemClock, cryptoRandom),
    http: createFetchHttpPort({ allowPrivate: config.allowPrivateUrls }),
  };
  try {
    io.setExitCode(await work(ctx));
  } catch (error) {
    io.err(`cannot settle on ${redactUrl(config.db)}: ${error instanceof Error ? error.message : String(error)}\n`);
    io.setExitCode(exitCannotRun);
  } finally {
    await db.close();
  }
}
