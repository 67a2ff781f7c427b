import type { Kysely } from 'kysely';

/**
 * A DFSP's JWS public key (PEM, RSA): when the operator has registered one, every FSPIOP message from
 * the DFSP must carry a Mojaloop FSPIOP-Signature that verifies with it. Null: none is checked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fspiop_dfsps').addColumn('jws_public_key', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fspiop_dfsps').dropColumn('jws_public_key').execute();
}
