import { type Kysely, Migrator } from 'kysely';
import { afterAll, expect, test } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/index.ts';
import { migrations } from '../db/migrations/index.ts';
import { checkLedger } from '../ledger/index.ts';
import { createTestDatabase } from '../testing/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test(
  'a hub that committed transfers before 0008 puts them in one open window, and its ledger still ' + 'checks',
  async () => {
    const place = await createTestDatabase();
    const database = openDatabase(place.location);
    cleanups.push(async () => {
      await database.close();
      await place.drop();
    });
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0008'));
    const migrator = new Migrator({
      db: database.kysely as unknown as Kysely<unknown>,
      provider: { getMigrations: async () => before },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const at = '2026-02-01T10:00:00.000Z';
    const db = database.kysely as unknown as Kysely<any>;
    const party = (id: string) => ({
      id,
      name: id,
      roles: '["issuer","acquirer"]',
      currencies: '["CNY"]',
      callback_url: 'https://x.example',
      status: 'active',
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('participants')
      .values([party('par_a'), party('par_b')])
      .execute();
    await db
      .insertInto('merchants')
      .values({
        id: 'mer_b',
        acquirer_id: 'par_b',
        name: 'B',
        mcc: '5411',
        city: 'Jakarta',
        country: 'ID',
        currency: 'CNY',
        status: 'active',
        secret_key_hash: 'h',
        created_at: at,
        updated_at: at,
      })
      .execute();
    const transfer = {
      kind: 'payment',
      payer_id: 'par_a',
      payee_id: 'par_b',
      merchant_id: 'mer_b',
      amount: 500,
      currency: 'CNY',
      source: 'checkout',
      created_at: at,
    };
    await db
      .insertInto('transfers')
      .values([
        { ...transfer, id: 'trf_1', status: 'committed', receipt_number: '000000000001', committed_at: at },
        { ...transfer, id: 'trf_2', status: 'reserved', receipt_number: '000000000002' },
      ])
      .execute();
    await db
      .insertInto('ledger_entries')
      .values([
        { id: 'ent_1_00', transfer_id: 'trf_1', account: 'par_a', currency: 'CNY', amount: -500, created_at: at },
        { id: 'ent_1_01', transfer_id: 'trf_1', account: 'par_b', currency: 'CNY', amount: 500, created_at: at },
      ])
      .execute();
    await db
      .insertInto('positions')
      .values([
        { participant_id: 'par_a', currency: 'CNY', position: -500, reserved: 500, updated_at: at },
        { participant_id: 'par_b', currency: 'CNY', position: 500, reserved: 0, updated_at: at },
      ])
      .execute();

    expect(await migrateToLatest(database)).toContain('0008_settlement');
    const rows = await db.selectFrom('transfers').select(['id', 'window_id', 'business_date']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'trf_1', window_id: 'win_00000000000000000000000000', business_date: '2026-02-01' },
      { id: 'trf_2', window_id: null, business_date: null },
    ]);
    expect(await db.selectFrom('settlement_windows').select(['id', 'status', 'opened_at']).execute()).toEqual([
      { id: 'win_00000000000000000000000000', status: 'open', opened_at: at },
    ]);
    expect(await checkLedger(database.kysely)).toMatchObject({ ok: true, value: { transfers: 2, windows: 1 } });
  },
);
