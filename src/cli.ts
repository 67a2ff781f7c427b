import { Command, Option } from 'commander';
import { ConfigError, type ConfigInput, loadConfig, redactUrl } from './config.ts';
import { migrateToLatest, openDatabase } from './db/index.ts';
import { registerLedgerCommands } from './ledger/index.ts';
import { cryptoRandom } from './platform/index.ts';
import { registerQrCommands } from './qr/index.ts';
import { startHub } from './server.ts';

const program = new Command('lintas').description('Lintas: an open payment interconnection switch').showHelpAfterError();

function dbOption(): Option {
  return new Option('--db <location>', 'SQLite file path or postgres:// URL (env LINTAS_DB; default ./data/lintas.sqlite)');
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

program
  .command('serve')
  .description('serve the hub')
  .option('--port <port>', 'port to listen on (env LINTAS_PORT; default 8080)')
  .option('--host <host>', 'address to listen on (env LINTAS_HOST; default 127.0.0.1)')
  .addOption(dbOption())
  .option('--data-dir <dir>', 'data directory (env LINTAS_DATA_DIR; default ./data)')
  .action(async (flags: ConfigInput) => {
    const config = configFrom(flags);
    const hub = await startHub(config);
    const lines = [
      `Lintas hub listening on ${hub.url}`,
      `  database:       ${redactUrl(config.db)}`,
      `  operator token: ${config.operatorTokenFile ? `in ${config.operatorTokenFile}` : 'from LINTAS_OPERATOR_TOKEN'}`,
      `  API docs:       ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/openapi.json`,
      `  health:         ${config.publicUrl}/health   ready: ${config.publicUrl}/ready   metrics: ${config.publicUrl}/metrics`,
    ];
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

registerQrCommands(program);
registerLedgerCommands(program);

await program.parseAsync(process.argv);
