import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type TestHub,
  bearerClient,
  createParticipant,
  signedClient,
  startTestHub,
  testEngine,
} from '../testing/index.ts';
import { cachedRead, noteChange } from './index.ts';
import { inTransaction } from './transaction.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => hub?.stop());

function countingLoad(value: string) {
  const load = async () => {
    load.calls += 1;
    return value;
  };
  load.calls = 0;
  return load;
}

test('a served hub loads a cached row once, and again after a change commits', async () => {
  const db = hub.ctx.db.kysely;
  const load = countingLoad('row');
  expect(await cachedRead(db, 'merchant', 'mch_once', load)).toBe('row');
  expect(await cachedRead(db, 'merchant', 'mch_once', load)).toBe('row');
  expect(load.calls).toBe(1);
  await inTransaction(hub.ctx.db, (tx) => noteChange(tx, 'merchant', 'mch_once'));
  expect(await cachedRead(db, 'merchant', 'mch_once', load)).toBe('row');
  expect(load.calls).toBe(2);
});

test('the writing transaction reads its own writes, never the cached row', async () => {
  const db = hub.ctx.db.kysely;
  await cachedRead(db, 'merchant', 'mch_own', async () => 'before');
  const seenInside = await inTransaction(hub.ctx.db, async (tx) => {
    await noteChange(tx, 'merchant', 'mch_own');
    return cachedRead(tx, 'merchant', 'mch_own', async () => 'written');
  });
  expect(seenInside).toBe('written');
});

test('a load that a change overtook is not kept', async () => {
  const db = hub.ctx.db.kysely;
  let release!: () => void;
  const slowLoadMayEnd = new Promise<void>((resolve) => (release = resolve));
  const slow = cachedRead(db, 'merchant', 'mch_race', async () => {
    await slowLoadMayEnd;
    return 'read before the change';
  });
  await inTransaction(hub.ctx.db, (tx) => noteChange(tx, 'merchant', 'mch_race'));
  release();
  expect(await slow).toBe('read before the change');
  expect(await cachedRead(db, 'merchant', 'mch_race', async () => 'after the change')).toBe('after the change');
});

test('a cached participant is frozen, and its caps show at once after the operator sets them', async () => {
  const wallet = await createParticipant(hub, { currencies: ['IDR'] });
  const operator = bearerClient(hub, hub.operatorToken);
  expect((await wallet.call('GET', `/v1/participants/${wallet.id}`)).body.netDebitCaps).toEqual({});
  const set = await operator('PUT', `/v1/participants/${wallet.id}/limits`, {
    currency: 'IDR',
    netDebitCap: 7_000_000,
    prefunding: 0,
  });
  expect(set.status).toBe(200);
  expect((await wallet.call('GET', `/v1/participants/${wallet.id}`)).body.netDebitCaps).toEqual({ IDR: 7_000_000 });
  const cached = await cachedRead(hub.ctx.db.kysely, 'participant', wallet.id, async () => undefined);
  expect(Object.isFrozen(cached)).toBe(true);
});

if (testEngine() !== 'postgres') {
  console.log(
    'two processes skipped on SQLite, by design: one process holds a SQLite file, so every change is made and ' +
      'forgotten in it; the PostgreSQL run covers a change made by another process',
  );
}

async function listenersOnThisDatabase(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
    where datname = current_database() and query = 'listen lintas_changes'`.execute(hub.ctx.db.kysely);
  return rows[0]?.n ?? 0;
}

/** A suspended participant may still read itself (and settle): the answer names its status. */
async function statusSeenWithin(
  call: () => Promise<{ body: { status: string } }>,
  status: string,
  deadlineMs: number,
): Promise<void> {
  const startedMs = performance.now();
  while ((await call()).body.status !== status) {
    if (performance.now() - startedMs > deadlineMs) throw new Error(`still not ${status} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.skipIf(testEngine() !== 'postgres')(
  'another process forgets a participant it cached when this one changes it, also after its LISTEN connection broke',
  async () => {
    const beside = await startTestHub({ reuseDatabaseOf: hub });
    try {
      const wallet = await createParticipant(hub);
      const operator = bearerClient(hub, hub.operatorToken);
      const signedToBeside = signedClient(beside, wallet.keyId, wallet.privateKey);
      const read = () => signedToBeside('GET', `/v1/participants/${wallet.id}`);
      expect((await read()).status).toBe(200);
      expect((await read()).status).toBe(200);

      expect((await operator('POST', `/v1/participants/${wallet.id}/suspend`, { reason: 'review' })).status).toBe(200);
      await statusSeenWithin(read, 'suspended', 2_000);
      expect((await operator('POST', `/v1/participants/${wallet.id}/reinstate`)).status).toBe(200);
      await statusSeenWithin(read, 'active', 2_000);

      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query = 'listen lintas_changes'`.execute(hub.ctx.db.kysely);
      // Both processes listen again (a second after the break), each having forgotten what it cached.
      const deadline = Date.now() + 5_000;
      while ((await listenersOnThisDatabase()) < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await listenersOnThisDatabase()).toBe(2);
      expect((await read()).body.status).toBe('active');
      expect((await operator('POST', `/v1/participants/${wallet.id}/suspend`, { reason: 'again' })).status).toBe(200);
      await statusSeenWithin(read, 'suspended', 2_000);
    } finally {
      await beside.stop();
    }
  },
);
