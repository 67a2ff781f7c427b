import { Command, Option } from 'commander';
import type { CommandTools, ServeOptions } from './capability.ts';
import { capabilities } from './capabilities.ts';
import { type Config, ConfigError, type ConfigInput, loadConfig, redactUrl } from './config.ts';
import { DatabaseInUseError, migrateToLatest, openDatabase } from './db/index.ts';
import { MasterKeyMismatchError, cryptoRandom } from './platform/index.ts';
import { announceListening, isHubWorker, servePrimary, workersChoice } from './cluster.ts';
import { openHubContext, startHub } from './server.ts';

const program = new Command('lintas')
  .description('Lintas: an open payment interconnection switch')
  .showHelpAfterError();

function dbOption(): Option {
  return new Option(
    '--db <location>',
    'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)',
  );
}

function configFrom(flags: ConfigInput) {
  try {
    return loadConfig(flags, process.env, cryptoRandom);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
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
  const hub = await startHub(config, options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}).catch(
    (error: unknown) => {
      if (!(error instanceof MasterKeyMismatchError || error instanceof DatabaseInUseError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
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

const tools: CommandTools = { configOf: configFrom, openContext: openHubContext, serveOptions, serve };

serveOptions(program.command('serve').description('serve the hub'))
  .option('--workers <count>', 'hub processes on one port, PostgreSQL only (env LINTAS_WORKERS; default 1)')
  .action(async (flags: ConfigInput & { workers?: string }) => {
    const config = configFrom(flags);
    const workers = workersChoice(flags.workers ?? process.env.LINTAS_WORKERS, config);
    if (!workers.ok) {
      process.stderr.write(`${workers.message}\n`);
      process.exit(2);
    }
    if (workers.count > 1 && !isHubWorker()) await servePrimary(config, workers.count, (url) => bannerOf(config, url));
    else await serve(config);
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .addOption(dbOption())
  .action(async (flags: ConfigInput) => {
    const config = configFrom(flags);
    const db = openDatabase(config.db);
    try {
      const applied = await migrateToLatest(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    } finally {
      await db.close();
    }
  });

for (const capability of capabilities) capability.commands?.(program, tools);

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
    if (bench === undefined) {
      process.stderr.write(`unknown bench ${name}; known: ${Object.keys(benches).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    await bench(args);
  });

await program.parseAsync(process.argv);
