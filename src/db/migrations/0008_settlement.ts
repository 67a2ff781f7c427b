import { type Kysely, sql } from 'kysely';

/**
 * Clearing and settlement (issue 10): fee schedules, settlement windows,
 * their report aggregates and settlement postings; every transfer learns
 * the window it was committed in and that window's business date.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fee_schedules')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('fee', 'text', (c) => c.notNull())
    .addColumn('bps', 'integer', (c) => c.notNull())
    .addColumn('fixed_amount', 'bigint', (c) => c.notNull())
    .addColumn('min_amount', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fee_schedules_pk', ['currency', 'fee'])
    .execute();

  await db.schema
    .createTable('merchant_fees')
    .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.id'))
    .addColumn('bps', 'integer', (c) => c.notNull())
    .addColumn('fixed_amount', 'bigint', (c) => c.notNull())
    .addColumn('min_amount', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settlement_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('open_marker', 'integer')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('reported_at', 'text')
    .addColumn('settled_at', 'text')
    .addColumn('next_window_id', 'text')
    .execute();
  // NULLs are distinct on both engines: any number of closed windows, one open.
  await db.schema
    .createIndex('settlement_windows_one_open')
    .on('settlement_windows')
    .column('open_marker')
    .unique()
    .execute();
  await db.schema
    .createIndex('settlement_windows_by_status')
    .on('settlement_windows')
    .columns(['status', 'id'])
    .execute();

  await db.schema.alterTable('transfers').addColumn('window_id', 'text').execute();
  await db.schema.alterTable('transfers').addColumn('business_date', 'text').execute();
  await putEarlierTransfersInAWindow(db);
  // Covers the close's one aggregate: a window's transfers are read from this index alone, already in
  // the order they are grouped by, so a report neither sorts nor reads the table (issue 10's benchmark).
  await db.schema
    .createIndex('transfers_by_window')
    .on('transfers')
    .columns([
      'window_id',
      'payer_id',
      'payee_id',
      'merchant_id',
      'currency',
      'kind',
      'status',
      'amount',
      'interchange',
      'issuer_switch_fee',
      'acquirer_switch_fee',
      'merchant_discount',
    ])
    .execute();

  await db.schema
    .createTable('settlement_flows')
    .addColumn('window_id', 'text', (c) => c.notNull().references('settlement_windows.id'))
    .addColumn('payer_id', 'text', (c) => c.notNull())
    .addColumn('payee_id', 'text', (c) => c.notNull())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('transfers', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('interchange', 'bigint', (c) => c.notNull())
    .addColumn('issuer_switch_fee', 'bigint', (c) => c.notNull())
    .addColumn('acquirer_switch_fee', 'bigint', (c) => c.notNull())
    .addColumn('merchant_discount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('settlement_flows_pk', [
      'window_id',
      'payer_id',
      'payee_id',
      'merchant_id',
      'currency',
      'kind',
    ])
    .execute();

  await db.schema
    .createTable('settlements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull().references('settlement_windows.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('settlements_by_window')
    .on('settlements')
    .columns(['window_id', 'currency'])
    .unique()
    .execute();
}

/** The window a hub made before this migration opens with its committed transfers in it (ids sort first: all zeros). */
const upgradeWindowId = 'win_00000000000000000000000000';

/**
 * A hub that already committed transfers keeps its invariant that each
 * belongs to one window: they join a window opened at the first of them,
 * dated by its UTC day, which the operator then closes like any other.
 */
async function putEarlierTransfersInAWindow(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{
    at: string | null;
  }>`select min(committed_at) as at from transfers where status = 'committed'`.execute(db);
  const at = rows[0]?.at ?? null;
  if (at === null) return;
  const businessDate = at.slice(0, 10);
  await sql`insert into settlement_windows (id, status, business_date, open_marker, opened_at) values
    (${upgradeWindowId}, 'open', ${businessDate}, 1, ${at})`.execute(db);
  await sql`update transfers set window_id = ${upgradeWindowId}, business_date = ${businessDate} where status =
    'committed'`.execute(db);
}
