import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import {
  type TestHub,
  bearerClient,
  createParticipant,
  createTestDatabase,
  startTestHub,
  testEngine,
} from '../testing/index.ts';
import { emitEvent } from './index.ts';

/**
 * PostgreSQL hands out sequence values at insert, not at commit. Two
 * transactions that overlap can commit in the other order than they got
 * their numbers; a reader paging by number alone would be handed the later
 * number first and then never see the earlier one. SQLite has one writer at
 * a time (a second transaction waits for the first to commit), so there the
 * case cannot arise and this file runs on PostgreSQL only.
 */
let hub: TestHub;
let merchant: { id: string; call: ReturnType<typeof bearerClient> };

beforeAll(async () => {
  hub = await startTestHub();
  const acquirer = await createParticipant(hub, { roles: ['acquirer'], currencies: ['IDR'] });
  const created = await acquirer.call('POST', '/v1/merchants', {
    name: 'Toko Urut',
    mcc: '5411',
    city: 'Jakarta',
    country: 'ID',
    currency: 'IDR',
  });
  merchant = { id: created.body.id, call: bearerClient(hub, created.body.secretKey) };
});
afterAll(async () => hub?.stop());

function paid(reference: string) {
  return { type: 'checkout.paid', merchantId: merchant.id, data: { reference } };
}

async function feedWith(path: string, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await merchant.call('GET', path);
    if (page.body.data.length >= count || Date.now() > deadline) return page;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (testEngine() !== 'postgres') {
  console.log(
    'skipped on SQLite, by design: SQLite has one writer, so events commit in the order they are numbered and ' +
      'there is no overlap to test; the PostgreSQL run covers it',
  );
}

test.skipIf(testEngine() !== 'postgres')(
  'an event whose transaction commits after a later-numbered one is not skipped',
  async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWritten!: () => void;
    const firstIsWritten = new Promise<void>((resolve) => (firstWritten = resolve));
    const first = hub.ctx.db.kysely.transaction().execute(async (tx) => {
      const event = await emitEvent(hub.ctx, tx, paid('numbered-first-committed-last'));
      firstWritten();
      await firstMayCommit;
      return event;
    });
    await firstIsWritten;
    const second = await inTransaction(hub.ctx.db, (tx) =>
      emitEvent(hub.ctx, tx, paid('numbered-second-committed-first')),
    );

    // A reader by number alone would now be handed `second`, and its cursor would pass `first` for good.
    const bySequence = await sql<{ id: string }>`select id from events order by seq`.execute(hub.ctx.db.kysely);
    expect(bySequence.rows.map((row) => row.id)).toEqual([second.id]);
    const early = await merchant.call('GET', '/v1/events');
    expect(early.body).toEqual({ data: [], nextCursor: '0.0' });

    releaseFirst();
    const firstEvent = await first;
    const caughtUp = await feedWith(`/v1/events?after=${early.body.nextCursor}`, 2);
    expect(caughtUp.body.data).toEqual([firstEvent, second]);
    const after = await merchant.call('GET', `/v1/events?after=${caughtUp.body.nextCursor}`);
    expect(after.body).toEqual({ data: [], nextCursor: caughtUp.body.nextCursor });
  },
);

test.skipIf(testEngine() !== 'postgres')(
  'readers polling while writers overlap see every event exactly once',
  async () => {
    const writers = 12;
    const seen: string[] = [];
    let cursor = (await merchant.call('GET', '/v1/events?limit=100')).body.nextCursor as string;
    let writing = true;
    const deadline = Date.now() + 15_000;
    const reader = (async () => {
      while ((writing || seen.length < writers) && Date.now() < deadline) {
        const page = await merchant.call('GET', `/v1/events?after=${cursor}&limit=100`);
        seen.push(...page.body.data.map((event: { id: string }) => event.id));
        cursor = page.body.nextCursor;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const written = await Promise.all(
      Array.from({ length: writers }, (_, index) =>
        hub.ctx.db.kysely.transaction().execute(async (tx) => {
          const event = await emitEvent(hub.ctx, tx, paid(`overlap-${index}`));
          // Commit in an order unrelated to the order the events were numbered in.
          await new Promise((resolve) => setTimeout(resolve, ((index * 7) % writers) * 10));
          return event;
        }),
      ),
    );
    writing = false;
    await reader;
    expect(seen.sort()).toEqual(written.map((event) => event.id).sort());
  },
);

test.skipIf(testEngine() !== 'postgres')(
  'a transaction left open in another database on the server does not hold the feed back',
  async () => {
    const other = await createTestDatabase();
    const idle = new pg.Client({ connectionString: other.location });
    await idle.connect();
    try {
      await idle.query('begin');
      // An id of its own makes the open transaction count in every snapshot's running list.
      await idle.query('select pg_current_xact_id()');
      const start = (await merchant.call('GET', '/v1/events?limit=100')).body.nextCursor as string;
      const event = await inTransaction(hub.ctx.db, (tx) => emitEvent(hub.ctx, tx, paid('beside-an-idle-database')));
      const page = await feedWith(`/v1/events?after=${start}`, 1);
      expect(page.body.data).toEqual([event]);
    } finally {
      await idle.query('rollback');
      await idle.end();
      await other.drop();
    }
  },
);

test.skipIf(testEngine() !== 'postgres')(
  'a transaction left open in this database still holds back the events written after it',
  async () => {
    const start = (await merchant.call('GET', '/v1/events?limit=100')).body.nextCursor as string;
    let release!: () => void;
    const mayEnd = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const open = hub.ctx.db.kysely.transaction().execute(async (tx) => {
      await sql`select pg_current_xact_id()`.execute(tx);
      opened();
      await mayEnd;
    });
    await isOpen;
    const event = await inTransaction(hub.ctx.db, (tx) => emitEvent(hub.ctx, tx, paid('behind-an-open-writer')));
    const held = await merchant.call('GET', `/v1/events?after=${start}`);
    expect(held.body.data).toEqual([]);
    release();
    await open;
    const page = await feedWith(`/v1/events?after=${start}`, 1);
    expect(page.body.data).toEqual([event]);
  },
);
