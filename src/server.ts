import { pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { buildApp, type HubServer, redactedLogPaths } from './app.ts';
import type { ExtraRoutes } from './capability.ts';
import { capabilities } from './capabilities.ts';
import type { Config } from './config.ts';
import { type HubContext, createHubContext } from './context.ts';
import { type Database, holdSqliteFile, isPostgresUrl, migrateToLatest, openDatabase } from './db/index.ts';
import { createFetchHttpPort, type HttpPort } from './http/index.ts';
import { type Clock, type Random, type Worker, cryptoRandom, systemClock } from './platform/index.ts';

export type HubOptions = {
  clock?: Clock;
  random?: Random;
  http?: HttpPort;
  logLevel?: string;
  /** Where log lines go; standard output unless given (a test reads them). */
  logDestination?: pino.DestinationStream;
  extraRoutes?: ExtraRoutes;
};

export type RunningHub = {
  ctx: HubContext;
  server: HubServer;
  url: string;
  /** Background jobs by name, so tests can run one now instead of waiting. */
  workers: Record<string, Worker>;
  stop(): Promise<void>;
};

/** Every background job of a running hub, from every capability's manifest. */
function startWorkers(ctx: HubContext): Worker[] {
  return capabilities.flatMap((capability) => capability.workers?.(ctx) ?? []);
}

/**
 * JSON lines, for a log collector, unless standard output is a terminal, where a person reads them
 * (LINTAS_LOG_FORMAT=json or pretty decides instead). The redaction runs before either format.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  const options = { level, redact: { paths: redactedLogPaths, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  const format = process.env.LINTAS_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty') return pino(options);
  const pretty = pinoPretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // A person reads these as they happen; none is lost to an exit right after it.
    sync: true,
  });
  return pino(options, pretty);
}

/** The context over an existing database, for commands that only read it (no migration, no hub key). */
export function openHubContext(config: Config, options: HubOptions = {}): HubContext {
  const logger = createLogger(options.logLevel ?? process.env.LINTAS_LOG_LEVEL ?? 'info', options.logDestination);
  const db: Database = openDatabase(config.db);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const http = afterDurable(db, options.http ?? createFetchHttpPort({ allowPrivate: config.allowPrivateUrls }));
  return createHubContext({ db, clock, random, config, logger, http });
}

/** Nothing the hub committed is told to anyone outside before it is on the disk (a callback, a charge request). */
function afterDurable(db: Database, http: HttpPort): HttpPort {
  return {
    request: async (request) => {
      await db.durable();
      return http.request(request);
    },
  };
}

/** Opens the database, brings its schema up to date and lets each capability prepare (the hub's key on first start). */
export async function prepareHub(config: Config, options: HubOptions = {}): Promise<HubContext> {
  const ctx = openHubContext(config, options);
  await migrateToLatest(ctx.db);
  for (const capability of capabilities) await capability.prepare?.(ctx);
  ctx.db.startGroupCommit();
  await ctx.db.startReadCache();
  return ctx;
}

/** A SQLite file is served by one process (see holdSqliteFile); PostgreSQL by as many as like. */
function holdDatabase(location: string): { release(): void } {
  return isPostgresUrl(location) || location === ':memory:' ? { release: () => {} } : holdSqliteFile(location);
}

export async function startHub(config: Config, options: HubOptions = {}): Promise<RunningHub> {
  const hold = holdDatabase(config.db);
  let started: { ctx: HubContext; server: HubServer; address: string };
  try {
    started = await listen(config, options);
  } catch (error) {
    hold.release();
    throw error;
  }
  const { ctx, server, address } = started;
  const workers = startWorkers(ctx);
  return {
    ctx,
    server,
    url: address,
    workers: Object.fromEntries(workers.map((worker) => [worker.name, worker])),
    stop: async () => {
      await server.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      await ctx.db.close();
      hold.release();
    },
  };
}

async function listen(config: Config, options: HubOptions) {
  const ctx = await prepareHub(config, options);
  try {
    const server = await buildApp(ctx, ctx.logger, options.extraRoutes);
    const address = await server.app.listen({ port: config.port, host: config.host });
    return { ctx, server, address };
  } catch (error) {
    await ctx.db.close();
    throw error;
  }
}
