import { type Config, posAuthorizationDeadlineMsDefault, posUnknownTimeoutSecondsDefault } from '../config.ts';
import { raiseWindowDaysDefault } from '../disputes/index.ts';
import { type HttpPort, rateLimitDefaults } from '../http/index.ts';
import { type ManualClock, Secret, createManualClock, cryptoRandom, generateMasterKey } from '../platform/index.ts';
import { type RunningHub, startHub } from '../server.ts';
import { createTestDatabase } from './database.ts';
import { freePort } from './processes.ts';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/** A test database and how many running hubs use it; the last one out drops it. */
export type SharedTestDatabase = TestDatabase & { hubs: number };

export type TestHub = Omit<RunningHub, 'stop'> & {
  clock: ManualClock;
  operatorToken: string;
  config: Config;
  database: SharedTestDatabase;
  /**
   * Stops the hub. Its database is dropped when no other hub runs on it,
   * unless `keepDatabase`, to start another hub on it (a restart).
   */
  stop(options?: { keepDatabase?: boolean }): Promise<void>;
};

/**
 * A real hub on 127.0.0.1 with its own database and a clock the test moves.
 * `reuseDatabaseOf` starts another hub process on an earlier hub's database,
 * with its master key, operator token and clock: a second process beside
 * it, or a restart after `stop({keepDatabase: true})`.
 */
export async function startTestHub(
  options: {
    clock?: ManualClock;
    http?: HttpPort;
    config?: Partial<Config>;
    reuseDatabaseOf?: TestHub;
    /** Log lines at this level go here instead of nowhere. */
    log?: { level: string; destination: { write(line: string): void } };
  } = {},
): Promise<TestHub> {
  const reused = options.reuseDatabaseOf;
  const database: SharedTestDatabase = reused?.database ?? { ...(await createTestDatabase()), hubs: 0 };
  const port = await freePort();
  const operatorToken = reused?.operatorToken ?? `op_test_${cryptoRandom.bytes(16).toString('hex')}`;
  const config: Config = {
    port,
    host: '127.0.0.1',
    db: database.location,
    dataDir: database.dataDir,
    publicUrl: `http://127.0.0.1:${port}`,
    operatorToken: new Secret(operatorToken),
    operatorTokenFile: undefined,
    masterKey: reused?.config.masterKey ?? generateMasterKey(cryptoRandom),
    allowPrivateUrls: true,
    qrGuid: 'org.lintas.hub',
    posUnknownTimeoutSeconds: posUnknownTimeoutSecondsDefault,
    posAuthorizationDeadlineMs: posAuthorizationDeadlineMsDefault,
    disputeRaiseWindowDays: raiseWindowDaysDefault,
    rateLimit: rateLimitDefaults,
    ...options.config,
  };
  const clock = options.clock ?? reused?.clock ?? createManualClock(new Date());
  const hub = await startHub(config, {
    clock,
    logLevel: options.log?.level ?? process.env.LINTAS_TEST_LOG_LEVEL ?? 'silent',
    ...(options.log ? { logDestination: options.log.destination } : {}),
    ...(options.http ? { http: options.http } : {}),
  });
  database.hubs += 1;
  let stopped = false;
  return {
    ...hub,
    clock,
    operatorToken,
    config,
    database,
    stop: async ({ keepDatabase = false } = {}) => {
      if (stopped) return;
      stopped = true;
      await hub.stop();
      database.hubs -= 1;
      if (database.hubs === 0 && !keepDatabase) await database.drop();
    },
  };
}
