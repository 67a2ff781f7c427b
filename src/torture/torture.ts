/**
 * The crash test (issue "exactly once", part 8): the hub in a child process on its own database, clients
 * paying, refunding and closing windows through it, each retrying until it hears a final answer, and the hub
 * SIGKILLed at seeded moments and started again on the same database. Then the auditor holds every final answer
 * against the database, the money against itself and the receivers' logs against the outbox.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Database, isPostgresUrl, openDatabase } from '../db/index.ts';
import { cryptoRandom, generateMasterKey, newToken, systemClock, freePort } from '../platform/index.ts';
import { pendingWork, readSnapshot } from './audit-store.ts';
import { audit } from './audit.ts';
import { createClient } from './client.ts';
import { type Drive, type Kill, driveStories, killOnSchedule } from './driver.ts';
import { type HubProcess, hubProcess, ledgerCheck } from './hub-process.ts';
import { type Journal, createJournal } from './model.ts';
import { killDelaysMs } from './plan.ts';
import { type Receivers, startReceivers } from './receivers.ts';
import { type TortureReport, countsOf } from './report.ts';
import type { StoryContext } from './stories.ts';
import { broken } from './violations.ts';
import { type World, seedWorld } from './world.ts';

export type TortureOptions = {
  seed: number;
  kills: number;
  /** A SQLite file path or a postgres:// URL of an empty database. */
  db: string;
  /** The hub's data directory, kept across its lives. */
  dataDir: string;
  /** Concurrent clients; default 8. */
  lanes?: number;
  log?: (line: string) => void;
};

const lanesDefault = 8;
/** The hub's deadline for a wallet's authorisation, and how long a `silent` wallet keeps it waiting. */
const authorizationDeadlineMs = 1_000;
const silentAnswerMs = 2_000;
/**
 * How long clients may still try after the last restart. A killed request leaves its Idempotency-Key locked
 * for 60 s (idempotencyLockMs), after which a retry takes it over.
 */
const settleMs = 150_000;
/** How long the last hub has to deliver what is queued, confirm refunds and decide charges. */
const drainMs = 120_000;
const drainPollMs = 1_000;
const drainQuietPolls = 2;

/** The hub's environment: the caller's, without its LINTAS_ settings, and the run's. */
function hubEnv(secrets: { operatorToken: string; masterKey: string }): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('LINTAS_'));
  return {
    ...Object.fromEntries(inherited),
    LINTAS_OPERATOR_TOKEN: secrets.operatorToken,
    LINTAS_MASTER_KEY: secrets.masterKey,
    LINTAS_ALLOW_PRIVATE_URLS: '1',
    LINTAS_LOG_LEVEL: 'warn',
    LINTAS_POS_AUTHORIZATION_DEADLINE_MS: String(authorizationDeadlineMs),
    LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS: '1',
  };
}

function receiverOf(world: World): Map<string, string> {
  const receivers = new Map<string, string>();
  for (const merchant of world.merchants) receivers.set(merchant.id, `merchant:${merchant.slug}`);
  for (const wallet of [world.acquirer, ...world.wallets]) receivers.set(wallet.id, `wallet:${wallet.slug}`);
  return receivers;
}

type Phase = { hub: HubProcess; journal: Journal; options: TortureOptions; giveUpAfter: (ms: number) => void };

/** Stories and kills together; once the kills are done (or the hub would not start) no new story begins. */
async function torture(phase: Phase, ctx: StoryContext): Promise<{ kills: Kill[]; drive: Drive; failures: string[] }> {
  const { hub, journal, options } = phase;
  const kills: Kill[] = [];
  const failures: string[] = [];
  let killing = true;
  const log = options.log ?? noLog;
  const killer = killOnSchedule(hub, killDelaysMs(options.seed, options.kills), journal, kills, log)
    .catch((error: unknown) => {
      failures.push(`the hub did not start again after kill ${kills.length}: ${String(error)}`);
    })
    .finally(() => {
      killing = false;
      phase.giveUpAfter(failures.length > 0 ? 0 : settleMs);
    });
  const [, drive] = await Promise.all([
    killer,
    driveStories(ctx, { lanes: options.lanes ?? lanesDefault, starting: () => killing }),
  ]);
  return { kills, drive, failures: [...failures, ...drive.failures] };
}

function noLog(): void {}

/** Waits until the hub has nothing left to do, twice in a row, or the drain's time is up. */
async function drain(database: Database): Promise<void> {
  const untilMs = systemClock.now().getTime() + drainMs;
  for (let quiet = 0; quiet < drainQuietPolls && systemClock.now().getTime() < untilMs; ) {
    const pending = await pendingWork(database.kysely);
    quiet = pending.deliveries + pending.refunds + pending.charges === 0 ? quiet + 1 : 0;
    await sleep(drainPollMs);
  }
}

async function judged(
  options: TortureOptions,
  parts: { database: Database; journal: Journal; receivers: Receivers; world: World; env: NodeJS.ProcessEnv },
) {
  const snapshot = await readSnapshot(parts.database.kysely);
  const violations = audit({
    ops: parts.journal.ops,
    snapshot,
    received: parts.receivers.received,
    receiverOf: receiverOf(parts.world),
  });
  const ledger = await ledgerCheck(options.db, parts.env);
  if (!ledger.passed) violations.push(broken('ledger_check', `lintas ledger check failed: ${ledger.output}`));
  return { violations, ledger };
}

export async function runTorture(options: TortureOptions): Promise<TortureReport> {
  const startedMs = systemClock.now().getTime();
  const log = options.log ?? noLog;
  const journal = createJournal();
  const secrets = {
    operatorToken: newToken('torture_', cryptoRandom, 24),
    masterKey: generateMasterKey(cryptoRandom).reveal(),
  };
  const env = hubEnv(secrets);
  const receivers = await startReceivers({ silentMs: silentAnswerMs });
  const hub = hubProcess({ port: await freePort(), db: options.db, dataDir: options.dataDir, env });
  let giveUpAtMs = Number.POSITIVE_INFINITY;
  const client = createClient({ baseUrl: hub.url, journal, clock: systemClock, giveUpAt: () => giveUpAtMs });
  let database: Database | undefined;
  try {
    await hub.start();
    const world = await seedWorld(
      { client, journal, seed: options.seed, receiversUrl: receivers.url },
      secrets.operatorToken,
    );
    for (const wallet of [world.acquirer, ...world.wallets])
      if (wallet.credentials.kind === 'signed') receivers.walletKeys.set(wallet.slug, wallet.credentials);
    const giveUpAfter = (ms: number) => {
      giveUpAtMs = systemClock.now().getTime() + ms;
    };
    const ran = await torture({ hub, journal, options, giveUpAfter }, { seed: options.seed, world, client, journal });
    log('every client heard its final answers');
    database = openDatabase(options.db);
    if (ran.failures.length === 0) await drain(database);
    log('the hub has delivered what it queued');
    await hub.stop();
    const { violations, ledger } = await judged(options, { database, journal, receivers, world, env });
    return {
      seed: options.seed,
      engine: isPostgresUrl(options.db) ? 'postgres' : 'sqlite',
      lives: hub.lives(),
      seconds: Math.round((systemClock.now().getTime() - startedMs) / 1000),
      stories: ran.drive.stories,
      ...countsOf(journal, receivers, ran.kills),
      ledgerCheck: ledger,
      violations,
      failures: ran.failures,
    };
  } finally {
    await hub.kill();
    await receivers.close();
    await database?.close();
  }
}
