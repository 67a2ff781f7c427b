import type { Kysely } from 'kysely';

/** A friend-pay link carries the buyer's note to the friend (its page and its link preview show it). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkout_attempts').addColumn('share_note', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkout_attempts').dropColumn('share_note').execute();
}
