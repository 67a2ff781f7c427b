import { type Kysely, Migrator } from 'kysely';
import { afterAll, expect, test } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/index.ts';
import { migrations } from '../db/migrations/index.ts';
import { createTestDatabase } from '../testing/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test('tokens that paid before 0013 are linked to their transfer through their checkout or till QR', async () => {
  const place = await createTestDatabase();
  const database = openDatabase(place.location);
  cleanups.push(async () => {
    await database.close();
    await place.drop();
  });
  const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0013'));
  const migrator = new Migrator({
    db: database.kysely as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => before },
  });
  expect((await migrator.migrateToLatest()).error).toBeUndefined();

  const at = '2026-02-01T10:00:00.000Z';
  const db = database.kysely as unknown as Kysely<any>;
  await db
    .insertInto('participants')
    .values({
      id: 'par_b',
      name: 'B',
      roles: '["issuer","acquirer"]',
      currencies: '["CNY"]',
      callback_url: 'https://x.example',
      status: 'active',
      created_at: at,
      updated_at: at,
    })
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
  const sale = { merchant_id: 'mer_b', acquirer_id: 'par_b', amount: 500, currency: 'CNY', created_at: at };
  await db
    .insertInto('checkouts')
    .values({
      ...sale,
      id: 'chk_1',
      reference: 'order-1',
      buyer_id: 'buyer',
      lines: '[]',
      status: 'paid',
      methods: '[]',
      decisions: '[]',
      client_secret_hash: 'cs',
      expires_at: at,
      paid_at: at,
      transfer_id: 'trf_1',
      paid_wallet_id: 'par_a',
    })
    .execute();
  await db
    .insertInto('till_qr_codes')
    .values({
      ...sale,
      id: 'tqr_1',
      reference: 'till-1',
      status: 'paid',
      token: 'pt_till',
      qr_payload: '000201',
      expires_at: at,
      paid_at: at,
      transfer_id: 'trf_2',
      paid_wallet_id: 'par_a',
    })
    .execute();
  const token = { merchant_id: 'mer_b', attempt_id: null, expires_at: at, created_at: at };
  await db
    .insertInto('payment_tokens')
    .values([
      { ...token, token: 'pt_paid', source: 'checkout', object_id: 'chk_1', wallet_id: 'par_a' },
      { ...token, token: 'pt_other', source: 'checkout', object_id: 'chk_1', wallet_id: 'par_c' },
      { ...token, token: 'pt_till', source: 'till_qr', object_id: 'tqr_1', wallet_id: null },
      { ...token, token: 'pt_placard', source: 'placard', object_id: 'mer_b', wallet_id: 'par_a', used_at: at },
    ])
    .execute();

  expect(await migrateToLatest(database)).toContain('0013_payments');
  const rows = await db.selectFrom('payment_tokens').select(['token', 'transfer_id']).orderBy('token').execute();
  expect(rows).toEqual([
    { token: 'pt_other', transfer_id: null },
    { token: 'pt_paid', transfer_id: 'trf_1' },
    { token: 'pt_placard', transfer_id: null },
    { token: 'pt_till', transfer_id: 'trf_2' },
  ]);
});
