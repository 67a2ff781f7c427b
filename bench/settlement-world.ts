// The world of `npm run bench -- settlement`: participants, merchants, one
// open window holding N committed transfers, their ledger entries and the
// positions they add up to, all generated inside the database.
import { type RawBuilder, sql } from 'kysely';
import { type Database, isPostgres } from '../src/db/index.ts';

export type WorldShape = { transfers: number; participants: number; merchantsPerParticipant: number };

const at = '2026-03-10T08:00:00.000Z';
const businessDate = '2026-03-10';
export const benchWindowId = 'win_bench0000000000000000000';
const rowsPerInsertMax = 500;

/** Inserts the world and answers the id of the open window holding every transfer. */
export async function insertBenchWorld(database: Database, shape: WorldShape): Promise<string> {
  const db = database.kysely;
  const pad = (value: RawBuilder<unknown>, width: number) =>
    isPostgres(db)
      ? sql`lpad((${value})::text, ${sql.lit(width)}, '0')`
      : sql`printf(${sql.lit(`%0${width}d`)}, ${value})`;
  const participantId = (index: number) => `par_bench${String(index).padStart(4, '0')}`;
  const participants = Array.from({ length: shape.participants }, (_, index) => ({
    id: participantId(index),
    name: `Bench wallet ${index}`,
    roles: JSON.stringify(['issuer', 'acquirer']),
    currencies: JSON.stringify(['CNY', 'IDR']),
    callback_url: `https://wallet-${index}.example/lintas`,
    status: 'active',
    created_at: at,
    updated_at: at,
  }));
  await db.insertInto('participants').values(participants).execute();
  const merchants = participants.flatMap((participant, acquirer) =>
    Array.from({ length: shape.merchantsPerParticipant }, (_, index) => ({
      id: `mer_bench${String(acquirer * shape.merchantsPerParticipant + index).padStart(6, '0')}`,
      acquirer_id: participant.id,
      name: `Bench shop ${acquirer}.${index}`,
      mcc: '5411',
      city: 'Jakarta',
      country: 'ID',
      currency: 'CNY',
      status: 'active',
      secret_key_hash: `bench-${acquirer}-${index}`,
      created_at: at,
      updated_at: at,
    })),
  );
  for (let start = 0; start < merchants.length; start += rowsPerInsertMax)
    await db
      .insertInto('merchants')
      .values(merchants.slice(start, start + rowsPerInsertMax))
      .execute();
  await db
    .insertInto('settlement_windows')
    .values({ id: benchWindowId, status: 'open', business_date: businessDate, open_marker: 1, opened_at: at })
    .execute();

  const n = sql`n`;
  const generator = isPostgres(db)
    ? sql`g(n) as (select generate_series(1, ${sql.lit(shape.transfers)})::bigint)`
    : sql`recursive g(n) as (select 1 union all select n + 1 from g where n < ${sql.lit(shape.transfers)})`;
  const participantsCount = sql.lit(shape.participants);
  const perAcquirer = sql.lit(shape.merchantsPerParticipant);
  // Every tenth transfer refunds the one before it; every 97th is on-us; a quarter are in IDR.
  await sql`
    insert into transfers (id, kind, status, receipt_number, payer_id, payee_id, merchant_id, amount, currency,
      source, payment_transfer_id,
                           interchange, issuer_switch_fee, acquirer_switch_fee, merchant_discount, on_us, window_id,
                             business_date, created_at, committed_at)
    with ${generator},
    base as (
      select n,
             case when n % 10 = 0 then 1 else 0 end as refund,
             n % ${participantsCount} as payer,
             case when n % 97 = 0 then n % ${participantsCount} else (n / ${participantsCount} * 7 + 3) %
               ${participantsCount} end as payee,
             100 + (n * 7919) % 100000 as amount,
             case when n % 4 = 1 then 'IDR' else 'CNY' end as currency
      from g
    )
    select 'trf_bench' || ${pad(n, 10)}, case when refund = 1 then 'refund' else 'payment' end, 'committed',
      ${pad(n, 12)},
           'par_bench' || ${pad(sql`payer`, 4)}, 'par_bench' || ${pad(sql`payee`, 4)},
           'mer_bench' ||
             ${pad(sql`(case when refund = 1 then payer else payee end) * ${perAcquirer} + n / 7 % ${perAcquirer}`, 6)},
           amount, currency, case when refund = 1 then 'refund' else 'checkout' end,
           case when refund = 1 then 'trf_bench' || ${pad(sql`n - 1`, 10)} else null end,
           case when payer = payee then 0 else amount * 60 / 10000 end,
           case when refund = 1 then 0 else 1 + amount / 2000 end,
           case when refund = 1 then 0 else amount / 1000 end,
           case when refund = 1 then 0 else amount * 150 / 10000 end,
           case when payer = payee then 1 else 0 end,
           ${benchWindowId}, ${businessDate}, ${at}, ${at}
    from base`.execute(db);

  // The entries each transfer posts: payer −(A − I) − Si, payee +(A − I) − Sa, hub Si + Sa.
  const entry = (
    line: string,
    account: RawBuilder<unknown>,
    amount: RawBuilder<unknown>,
    only: RawBuilder<unknown> = sql`1 = 1`,
  ) => sql`
    insert into ledger_entries (id, transfer_id, account, currency, amount, created_at)
    select 'ent_' || substr(id, 5) || ${line}, id, ${account}, currency, ${amount}, created_at from transfers where
      window_id = ${benchWindowId} and ${only}`;
  await entry('_00', sql`payer_id`, sql`-(amount - interchange) - issuer_switch_fee`).execute(db);
  await entry('_01', sql`payee_id`, sql`amount - interchange - acquirer_switch_fee`).execute(db);
  await entry(
    '_02',
    sql`'hub'`,
    sql`issuer_switch_fee + acquirer_switch_fee`,
    sql`issuer_switch_fee + acquirer_switch_fee > 0`,
  ).execute(db);
  await sql`
    insert into positions (participant_id, currency, position, reserved, updated_at)
    select account, currency, sum(amount), 0, ${at} from ledger_entries where account <> 'hub' group by account,
      currency`.execute(db);
  return benchWindowId;
}
