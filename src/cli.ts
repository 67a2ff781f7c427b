import { Command, Option } from 'commander';
import { ConfigError, type ConfigInput, loadConfig, redactUrl } from './config.ts';
import { migrateToLatest, openDatabase } from './db/index.ts';
import { registerLedgerCommands } from './ledger/index.ts';
import { cryptoRandom } from './platform/index.ts';
import { registerPlacardCommand } from './placards/index.ts';
import { registerQrCommands } from './qr/index.ts';
import { startHub } from './server.ts';
import { registerSettleCommands } from './settlement/index.ts';
import { type DemoState, demoRoutes, seedDemo } from './demo/index.ts';

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

type ServeFlags = ConfigInput;

function serveOptions(command: Command): Command {
  return command
    .option('--port <port>', 'port to listen on (env LINTAS_PORT; default 8080)')
    .option('--host <host>', 'address to listen on (env LINTAS_HOST; default 127.0.0.1)')
    .addOption(dbOption())
    .option('--data-dir <dir>', 'data directory (env LINTAS_DATA_DIR; default ./data)');
}

/** Serves until SIGTERM or SIGINT: stops accepting, finishes what is in flight, closes the database, exits 0. */
async function serve(flags: ServeFlags, demo: boolean): Promise<void> {
  const loaded = configFrom(flags);
  const config = demo ? { ...loaded, allowPrivateUrls: true } : loaded;
  let demoState: DemoState | undefined;
  let hubUrl = config.publicUrl;
  const hub = await startHub(
    config,
    demo
      ? {
          extraRoutes: demoRoutes(
            () => demoState,
            () => hubUrl,
          ),
        }
      : {},
  );
  hubUrl = hub.url;
  const lines = [
    `Lintas hub listening on ${hub.url}`,
    `  database:       ${redactUrl(config.db)}`,
    `  operator token: ${config.operatorTokenFile ? `in ${config.operatorTokenFile}` : 'from LINTAS_OPERATOR_TOKEN'}`,
    `  API docs:       ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/openapi.json`,
    `  health:         ${config.publicUrl}/health   ready: ${config.publicUrl}/ready   metrics: ${config.publicUrl}/metrics`,
  ];
  if (demo) {
    demoState = await seedDemo(hub.url, config.operatorToken.reveal(), config.publicUrl, config.dataDir);
    lines.push(
      `  demo:           ${config.publicUrl}/demo   (wallet keys and the merchant key in ${config.dataDir}/demo.json)`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
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

serveOptions(program.command('serve').description('serve the hub')).action((flags: ServeFlags) => serve(flags, false));
serveOptions(
  program.command('demo').description('serve the hub with demo wallets, a merchant and a wallet app at /demo'),
).action((flags: ServeFlags) => serve(flags, true));

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

registerQrCommands(program);
registerPlacardCommand(program, configFrom);
registerLedgerCommands(program);
registerSettleCommands(program);

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
