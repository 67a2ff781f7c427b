import { type Kysely, Migrator } from 'kysely';
import { expect, test } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/index.ts';
import { migrations } from '../db/migrations/index.ts';
import { createTestDatabase } from '../testing/index.ts';

test('events recorded before 0006_rollout get their parties when it runs, batch after batch', async () => {
  const database = await createTestDatabase();
  const db = openDatabase(database.location);
  try {
    const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name !== '0006_rollout'));
    const migrated = await new Migrator({
      db: db.kysely as unknown as Kysely<unknown>,
      provider: { getMigrations: async () => earlier },
      allowUnorderedMigrations: true,
    }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    const event = (index: number, fields: Record<string, string | null>) => ({
      id: `aud_${String(index).padStart(26, '0')}`,
      at: '2026-03-10T09:00:00.000Z',
      actor_type: 'operator',
      actor_id: 'operator',
      action: 'thing.changed',
      object_type: 'thing',
      object_id: 'thg_1',
      before: null,
      after: null,
      ...fields,
    });
    // More than one batch of the backfill: 600 events about a participant, then a channel and a merchant's settings.
    const many = Array.from({ length: 600 }, (_, index) =>
      event(index, { object_type: 'participant', object_id: 'par_a' }),
    );
    for (let start = 0; start < many.length; start += 100)
      await db.kysely
        .insertInto('audit_events')
        .values(many.slice(start, start + 100))
        .execute();
    await db.kysely
      .insertInto('audit_events')
      .values([
        event(600, {
          actor_type: 'participant',
          actor_id: 'par_w',
          object_type: 'channel',
          object_id: 'cha_1',
          after: JSON.stringify({ merchantId: 'mer_m', walletId: 'par_w' }),
        }),
        event(601, {
          actor_type: 'merchant',
          actor_id: 'mer_m',
          object_type: 'checkout_settings',
          object_id: 'mer_m',
          after: JSON.stringify({ primaryWalletIds: ['par_w'] }),
        }),
      ])
      .execute();

    expect(await migrateToLatest(db)).toEqual(['0006_rollout']);
    const parties = await db.kysely
      .selectFrom('audit_event_parties')
      .selectAll()
      .orderBy('event_id')
      .orderBy('party_id')
      .execute();
    expect(parties).toHaveLength(600 + 2 + 1);
    expect(parties.slice(600)).toEqual([
      { event_id: event(600, {}).id, party_id: 'mer_m' },
      { event_id: event(600, {}).id, party_id: 'par_w' },
      { event_id: event(601, {}).id, party_id: 'mer_m' },
    ]);
  } finally {
    await db.close();
    await database.drop();
  }
});
