import type { Kysely } from 'kysely';

/**
 * Evidence files of a dispute (PDF, PNG, JPEG), checked by content, kept
 * with their SHA-256. The bytes are base64 text, which both engines store
 * alike; files are small (see the limits in src/disputes/evidence.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dispute_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dispute_id', 'text', (c) => c.notNull().references('disputes.id'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content_base64', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dispute_evidence_by_dispute')
    .on('dispute_evidence')
    .columns(['dispute_id', 'id'])
    .execute();
}
