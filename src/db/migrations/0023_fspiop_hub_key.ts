import type { Kysely } from 'kysely';

/**
 * The hub's own JWS key, with which it signs the FSPIOP messages it makes itself (FSPIOP-Source
 * `lintas`), so a DFSP that checks every inbound signature takes them: the private key sealed under the
 * master key, the public key as the DFSPs are given it. One row, made on first use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fspiop_hub_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fspiop_hub_keys').execute();
}
