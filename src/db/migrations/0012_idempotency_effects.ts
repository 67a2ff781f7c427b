import type { Kysely } from 'kysely';

/**
 * An idempotency key learns, in the use case's own transaction, what its
 * request made: `owner` is the claim that may write it (a take-over after a
 * crash gets a new one), `effect_*` the resource and a one-time secret
 * (sealed) its answer needs when it has to be rebuilt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('owner', 'text').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('effect_kind', 'text').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('effect_id', 'text').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('effect_secret', 'text').execute();
}
