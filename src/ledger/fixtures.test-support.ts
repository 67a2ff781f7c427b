/**
 * Test fixtures for the money core: participants that are both issuer and
 * acquirer, one merchant each, and their limits, made over real HTTP.
 * Used by the tests of src/ledger and src/transfers only.
 */
import { sql } from 'kysely';
import type { HubContext } from '../context.ts';
import { openDatabase } from '../db/index.ts';
import { type TestHub, type TestParticipant, bearerClient, createParticipant } from '../testing/index.ts';

export type MoneyParticipant = TestParticipant & { merchantId: string };

let shopCounter = 0;

export async function createMoneyParticipant(hub: TestHub, currencies: string[] = ['CNY']): Promise<MoneyParticipant> {
  const participant = await createParticipant(hub, { roles: ['issuer', 'acquirer'], currencies });
  shopCounter += 1;
  const merchant = await participant.call('POST', '/v1/merchants', {
    name: `Shop ${shopCounter}`,
    mcc: '5411',
    city: 'Jakarta',
    country: 'ID',
    currency: currencies[0],
  });
  if (merchant.status !== 201) throw new Error(`merchant creation failed: ${merchant.text}`);
  return { ...participant, merchantId: merchant.body.id };
}

export async function setLimits(
  hub: TestHub,
  participantId: string,
  currency: string,
  netDebitCap: number,
  prefunding = 0,
): Promise<void> {
  const response = await bearerClient(hub, hub.operatorToken)('PUT', `/v1/participants/${participantId}/limits`, {
    currency,
    netDebitCap,
    prefunding,
  });
  if (response.status !== 200) throw new Error(`setting limits failed: ${response.text}`);
}

const concurrencyApp = 'lintas_test_concurrency';
const drainPollMs = 20;
const drainWaitMs = 5_000;

/**
 * Runs many concurrent transactions on a pool of their own (PostgreSQL) and
 * waits, after closing it, until its server connections are gone. pg-pool's
 * `end()` resolves before its clients have finished disconnecting; a test
 * database dropped `with (force)` right then kills them mid-goodbye, and
 * the FATAL surfaces as an uncaught error. SQLite shares the hub's single
 * connection: a second one would block the event loop waiting for a lock.
 */
export async function withConcurrentContext<T>(hub: TestHub, work: (ctx: HubContext) => Promise<T>): Promise<T> {
  if (hub.ctx.db.engine !== 'postgres') return work(hub.ctx);
  const url = new URL(hub.config.db);
  url.searchParams.set('application_name', concurrencyApp);
  const db = openDatabase(url.toString());
  try {
    return await work({ ...hub.ctx, db });
  } finally {
    await db.close();
    await waitForDisconnects(hub);
  }
}

async function waitForDisconnects(hub: TestHub): Promise<void> {
  const deadline = Date.now() + drainWaitMs;
  for (;;) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from pg_stat_activity where application_name = ${concurrencyApp} and datname =
      current_database()`.execute(hub.ctx.db.kysely);
    if (Number(rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error('the concurrency pool did not disconnect');
    await new Promise((done) => setTimeout(done, drainPollMs));
  }
}
