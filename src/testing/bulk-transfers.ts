import type { Database } from '../db/index.ts';

/** Rows per INSERT: 17 columns each stays under SQLite's and PostgreSQL's parameter limits. */
const rowsPerInsert = 1_000;

/**
 * Writes `count` committed payments from `payerId` to `payeeId` in one window
 * straight into the transfers table, for tests and benchmarks of statements
 * and reconciliation at a scale HTTP would take minutes to build. It writes
 * no ledger entries: positions are not what these tests read.
 */
export async function seedWindowPayments(
  database: Database,
  input: {
    payerId: string;
    payeeId: string;
    merchantId: string;
    windowId: string;
    businessDate: string;
    count: number;
    idPrefix: string;
  },
  onProgress?: (written: number) => void,
): Promise<void> {
  const createdAt = `${input.businessDate}T12:00:00.000Z`;
  // Receipt numbers must be unique hub-wide: a two-digit salt per prefix, then the serial.
  const salt = String([...input.idPrefix].reduce((sum, character) => sum + character.charCodeAt(0), 0) % 100).padStart(
    2,
    '0',
  );
  for (let start = 0; start < input.count; start += rowsPerInsert) {
    const rows = [];
    for (let index = start; index < Math.min(start + rowsPerInsert, input.count); index += 1) {
      const serial = String(index).padStart(9, '0');
      rows.push({
        id: `${input.idPrefix}${serial}`,
        kind: 'payment',
        status: 'committed',
        receipt_number: `7${salt}${serial}`,
        payer_id: input.payerId,
        payee_id: input.payeeId,
        merchant_id: input.merchantId,
        amount: 1_000 + (index % 9_000),
        currency: 'CNY',
        source: 'checkout',
        checkout_id: null,
        payer_ref: `${input.idPrefix}ref${serial}`,
        payment_transfer_id: null,
        refunded_amount: 0,
        disputed_amount: 0,
        interchange: 0,
        issuer_switch_fee: 0,
        acquirer_switch_fee: 0,
        merchant_discount: 0,
        on_us: 0,
        window_id: input.windowId,
        business_date: input.businessDate,
        created_at: createdAt,
        committed_at: createdAt,
        released_at: null,
      });
    }
    await database.kysely.insertInto('transfers').values(rows).execute();
    onProgress?.(Math.min(start + rowsPerInsert, input.count));
  }
}
