import { type Kysely, sql } from 'kysely';

/**
 * A payment token remembers the transfer it paid, so that a repeated
 * payer.ref returns the original only for the token that paid it. Tokens
 * that paid before are linked through what they paid: a checkout's tokens
 * of the wallet that paid it, a till QR's one token. A placard token names
 * no object that tells which of its wallet's placard payments it made, so
 * it stays unlinked (it lived ten minutes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('payment_tokens').addColumn('transfer_id', 'text').execute();
  await sql`
    update payment_tokens set transfer_id = (
      select checkouts.transfer_id from checkouts
      where checkouts.id = payment_tokens.object_id and checkouts.paid_wallet_id = payment_tokens.wallet_id
    )
    where source = 'checkout'`.execute(db);
  await sql`
    update payment_tokens set transfer_id = (
      select till_qr_codes.transfer_id from till_qr_codes where till_qr_codes.token = payment_tokens.token
    )
    where source = 'till_qr'`.execute(db);
}
