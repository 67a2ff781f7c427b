import type { Kysely } from 'kysely';

/**
 * A merchant's name and city are Unicode text; what it gives for QR codes'
 * Latin name (EMV 59) and city (60) and the language of its own (64/00) is
 * kept beside them. Null: made from the name and city when a code is built.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('merchants').addColumn('name_latin', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('city_latin', 'text').execute();
  await db.schema.alterTable('merchants').addColumn('language', 'text').execute();
}
