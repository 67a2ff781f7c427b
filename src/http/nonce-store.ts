import type { Database } from '../db/index.ts';

/**
 * Nonces live in the database so that several hub processes agree on which
 * were used. Returns false when the (key, nonce) pair was seen before.
 */
export async function useNonce(database: Database, keyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
  const result = await database.kysely
    .insertInto('signature_nonces')
    .values({ key_id: keyId, nonce, expires_at: expiresAt.toISOString() })
    .onConflict((conflict) => conflict.columns(['key_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function purgeExpiredNonces(database: Database, now: Date): Promise<number> {
  const result = await database.kysely
    .deleteFrom('signature_nonces')
    .where('expires_at', '<', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
