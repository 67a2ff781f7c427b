import { type Queryable, type Tx, forUpdate, type TillQrRow } from '../db/index.ts';
import type { ForeignTemplate, TillQr, TillQrStatus } from './model.ts';
import { invariant } from '../platform/index.ts';

export async function replaceTemplates(
  tx: Tx,
  merchantId: string,
  templates: readonly ForeignTemplate[],
): Promise<void> {
  await tx.deleteFrom('merchant_qr_templates').where('merchant_id', '=', merchantId).execute();
  if (templates.length === 0) return;
  await tx
    .insertInto('merchant_qr_templates')
    .values(templates.map((template) => ({ merchant_id: merchantId, template_id: template.id, value: template.value })))
    .execute();
}

export async function listTemplates(db: Queryable, merchantId: string): Promise<ForeignTemplate[]> {
  const rows = await db
    .selectFrom('merchant_qr_templates')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('template_id')
    .execute();
  return rows.map((row) => ({ id: row.template_id, value: row.value }));
}

function toTillQr(row: TillQrRow): TillQr {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    acquirerId: row.acquirer_id,
    status: row.status as TillQrStatus,
    amount: row.amount,
    currency: row.currency,
    reference: row.reference,
    qrPayload: row.qr_payload,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    paidAt: row.paid_at,
    expiredAt: row.expired_at,
    canceledAt: row.canceled_at,
    transferId: row.transfer_id,
    paidWalletId: row.paid_wallet_id,
  };
}

export async function insertTillQr(tx: Tx, qr: TillQr, token: string): Promise<void> {
  await tx
    .insertInto('till_qr_codes')
    .values({
      id: qr.id,
      merchant_id: qr.merchantId,
      acquirer_id: qr.acquirerId,
      amount: qr.amount,
      currency: qr.currency,
      reference: qr.reference,
      status: qr.status,
      token,
      qr_payload: qr.qrPayload,
      expires_at: qr.expiresAt,
      created_at: qr.createdAt,
      paid_at: null,
      expired_at: null,
      canceled_at: null,
      transfer_id: null,
      paid_wallet_id: null,
    })
    .execute();
}

export async function findTillQr(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<TillQr | undefined> {
  const query = db.selectFrom('till_qr_codes').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toTillQr(row) : undefined;
}

export async function updateTillQrStatus(
  tx: Tx,
  id: string,
  from: TillQrStatus,
  change: {
    status: TillQrStatus;
    column: 'paid_at' | 'expired_at' | 'canceled_at';
    at: string;
    payment?: { transferId: string; walletId: string } | undefined;
  },
): Promise<void> {
  const result = await tx
    .updateTable('till_qr_codes')
    .set({
      status: change.status,
      [change.column]: change.at,
      ...(change.payment ? { transfer_id: change.payment.transferId, paid_wallet_id: change.payment.walletId } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `locked till QR ${id} was still ${from} when moved to ${change.status}`);
}
