import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { CommandTools, ServeOptions } from './capability.ts';
import { capabilities } from './capabilities.ts';
import { registerCallCommand } from './cli-call.ts';
import { databaseNeverAnswered, failureLine } from './cli-errors.ts';
import {
  CommandRefusal,
  type Config,
  type ConfigInput,
  loadConfig,
  loadExistingConfig,
  readSettings,
  redactUrl,
} from './config.ts';
import { isPostgresUrl, migrateToLatest, openDatabase, sqliteHoldsSealedSecrets } from './db/index.ts';
import { cryptoRandom } from './platform/index.ts';
import { announceListening, isHubWorker, servePrimary, workersChoice } from './cluster.ts';
import { openHubContext, startHub } from './server.ts';

const program = new Command('lintas').description('Lintas: an open payment interconnection switch');
// A bad flag is one line, like every other refusal; the whole help after it would bury it.
program.configureOutput({
  outputError: (text, write) =>
    write(
      `lintas: ${text
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim()} (--help lists the flags)\n`,
    ),
});

function dbOption(): Option {
  return new Option(
    '--db <location>',
    'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)',
  );
}

/** The data directory this process made, until its hub has started; see `fail`. */
let madeDataDir: string | undefined;

/** For the serving commands, whose first start makes the data directory and its secrets. */
function configFrom(flags: ConfigInput): Config {
  const settings = readSettings(flags, process.env);
  refuseNewKeyForOldDatabase(settings);
  if (!existsSync(settings.dataDir)) madeDataDir = settings.dataDir;
  return loadConfig(flags, process.env, cryptoRandom);
}

/**
 * A first start whose database never answered wrote nothing anywhere but the new secrets; they are taken
 * back, so no data directory is left that no database knows, and the next start is a first start again.
 */
function undoFirstStart(error: unknown): void {
  if (madeDataDir === undefined || !databaseNeverAnswered(error)) return;
  for (const file of ['operator-token', 'master.key']) rmSync(join(madeDataDir, file), { force: true });
  if (readdirSync(madeDataDir).length === 0) rmdirSync(madeDataDir);
}

/**
 * A new master key made beside a database that already sealed secrets under another could not open them:
 * the hub would make the key, then fail. A SQLite file can be looked into here; PostgreSQL says so at start.
 */
function refuseNewKeyForOldDatabase(settings: { db: string; dataDir: string }): void {
  if (process.env.LINTAS_MASTER_KEY !== undefined || isPostgresUrl(settings.db) || settings.db === ':memory:') return;
  if (!existsSync(settings.db) || existsSync(join(settings.dataDir, 'master.key'))) return;
  if (!sqliteHoldsSealedSecrets(settings.db)) return;
  throw new CommandRefusal(
    `the database ${settings.db} holds secrets sealed under a master key that ${settings.dataDir} does not have, ` +
      'and a new key would not open them: give the data directory it was first served with (--data-dir or ' +
      'LINTAS_DATA_DIR), or LINTAS_MASTER_KEY',
  );
}

function existingConfigFrom(flags: ConfigInput): Config {
  return loadExistingConfig(flags, process.env);
}

function serveOptions(command: Command): Command {
  return command
    .option('--port <port>', 'port to listen on (env LINTAS_PORT; default 8080)')
    .option('--host <host>', 'address to listen on (env LINTAS_HOST; default 127.0.0.1)')
    .addOption(dbOption())
    .option('--data-dir <dir>', 'data directory (env LINTAS_DATA_DIR; default ./data)');
}

function bannerOf(config: Config, url: string): string {
  return [
    `Lintas hub listening on ${url}`,
    `  database:       ${redactUrl(config.db)}`,
    `  operator token: ${config.operatorTokenFile ? `in ${config.operatorTokenFile}` : 'from LINTAS_OPERATOR_TOKEN'}`,
    `  API docs:       ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/openapi.json`,
    `  health:         ${config.publicUrl}/health   ready: ${config.publicUrl}/ready   metrics: ` +
      `${config.publicUrl}/metrics`,
  ].join('\n');
}

/** Serves until SIGTERM or SIGINT: stops accepting, finishes what is in flight, closes the database, exits 0. */
async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const hub = await startHub(config, options.extraRoutes ? { extraRoutes: options.extraRoutes } : {});
  madeDataDir = undefined;
  const extraLines = (await options.afterStart?.(hub)) ?? [];
  if (isHubWorker()) announceListening(hub.url);
  else process.stdout.write(`${[bannerOf(config, hub.url), ...extraLines].join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.ctx.logger.info({ signal }, 'stopping: finishing requests in flight');
    void hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        hub.ctx.logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const tools: CommandTools = {
  configOf: configFrom,
  existingConfigOf: existingConfigFrom,
  openContext: openHubContext,
  serveOptions,
  serve,
};

serveOptions(program.command('serve').description('serve the hub'))
  .option('--workers <count>', 'hub processes on one port, PostgreSQL only (env LINTAS_WORKERS; default 1)')
  .action(async (flags: ConfigInput & { workers?: string }) => {
    const config = configFrom(flags);
    const workers = workersChoice(flags.workers ?? process.env.LINTAS_WORKERS, config);
    if (!workers.ok) throw new CommandRefusal(workers.message);
    if (workers.count > 1 && !isHubWorker()) await servePrimary(config, workers.count, (url) => bannerOf(config, url));
    else await serve(config);
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .addOption(dbOption())
  .option('--data-dir <dir>', 'data directory (env LINTAS_DATA_DIR; default ./data)')
  .action(async (flags: ConfigInput) => {
    const location = readSettings(flags, process.env).db;
    // A new database is made only where it is named; the default one is looked for, never guessed into being.
    const named = flags.db !== undefined || process.env.LINTAS_DB !== undefined;
    if (!named && !existsSync(location)) existingConfigFrom(flags);
    const db = openDatabase(location);
    try {
      const applied = await migrateToLatest(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    } finally {
      await db.close();
    }
  });

for (const capability of capabilities) capability.commands?.(program, tools);
registerCallCommand(program);

program
  .command('bench')
  .description('run a benchmark from bench/ (npm run bench -- <name> [args])')
  .argument('<name>', 'the benchmark, e.g. settlement, qr, qr-fuzz')
  .argument('[args...]', "the benchmark's own arguments")
  .allowUnknownOption()
  .action(async (name: string, args: string[]) => {
    // Loaded on demand: the benches pull in their baselines' packages, which serving never needs.
    const { benches } = await import('../bench/index.ts');
    const bench = benches[name];
    if (bench === undefined)
      throw new CommandRefusal(`unknown bench ${name}; known: ${Object.keys(benches).join(', ')}`);
    await bench(args);
  });

/** Any failure ends the command with one line and exit code 1 (see cli-errors.ts). */
function fail(error: unknown): never {
  undoFirstStart(error);
  process.stderr.write(`${failureLine(error)}\n`);
  if (process.env.LINTAS_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
await program.parseAsync(process.argv).catch(fail);
