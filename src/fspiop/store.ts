import {
  type Database,
  type FspiopDfspRow,
  type FspiopOutboundRow,
  type FspiopPartyRow,
  type FspiopTransferRow,
  type Queryable,
  type Tx,
  forUpdate,
  inTransaction,
} from '../db/index.ts';
import type { FspiopTransferState } from './model.ts';

export type Dfsp = {
  fspId: string;
  participantId: string;
  callbackUrl: string;
  currencies: string[];
  merchantId: string;
  /** PEM of its JWS public key: its messages must then be signed (FSPIOP-Signature). */
  jwsPublicKey: string | null;
  createdAt: string;
  updatedAt: string;
};

export type PartyKey = { type: string; id: string; subId: string };

export type FspiopTransfer = {
  transferId: string;
  lintasTransferId: string;
  payerFsp: string;
  payeeFsp: string;
  bodyHash: string;
  condition: string;
  expiration: string;
  state: FspiopTransferState;
  fulfilment: string | null;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
};

function toDfsp(row: FspiopDfspRow): Dfsp {
  return {
    fspId: row.fsp_id,
    participantId: row.participant_id,
    callbackUrl: row.callback_url,
    currencies: JSON.parse(row.currencies) as string[],
    merchantId: row.merchant_id,
    jwsPublicKey: row.jws_public_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function upsertDfsp(tx: Tx, dfsp: Dfsp): Promise<void> {
  const row: FspiopDfspRow = {
    fsp_id: dfsp.fspId,
    participant_id: dfsp.participantId,
    callback_url: dfsp.callbackUrl,
    currencies: JSON.stringify(dfsp.currencies),
    merchant_id: dfsp.merchantId,
    jws_public_key: dfsp.jwsPublicKey,
    created_at: dfsp.createdAt,
    updated_at: dfsp.updatedAt,
  };
  await tx
    .insertInto('fspiop_dfsps')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('fsp_id').doUpdateSet({
        callback_url: row.callback_url,
        currencies: row.currencies,
        merchant_id: row.merchant_id,
        jws_public_key: row.jws_public_key,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function findDfsp(db: Queryable, fspId: string): Promise<Dfsp | undefined> {
  const row = await db.selectFrom('fspiop_dfsps').selectAll().where('fsp_id', '=', fspId).executeTakeFirst();
  return row && toDfsp(row);
}

export async function listDfsps(db: Queryable): Promise<Dfsp[]> {
  const rows = await db.selectFrom('fspiop_dfsps').selectAll().orderBy('fsp_id').execute();
  return rows.map(toDfsp);
}

export async function findPartyOwner(db: Queryable, key: PartyKey): Promise<FspiopPartyRow | undefined> {
  return db
    .selectFrom('fspiop_parties')
    .selectAll()
    .where('party_type', '=', key.type)
    .where('party_id', '=', key.id)
    .where('party_sub_id', '=', key.subId)
    .executeTakeFirst();
}

/** Records the owner of a party identifier; false when another DFSP already owns it. */
export async function insertParty(tx: Tx, row: FspiopPartyRow): Promise<boolean> {
  const inserted = await tx
    .insertInto('fspiop_parties')
    .values(row)
    .onConflict((conflict) => conflict.columns(['party_type', 'party_id', 'party_sub_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function deleteParty(tx: Tx, key: PartyKey, fspId: string): Promise<boolean> {
  const deleted = await tx
    .deleteFrom('fspiop_parties')
    .where('party_type', '=', key.type)
    .where('party_id', '=', key.id)
    .where('party_sub_id', '=', key.subId)
    .where('fsp_id', '=', fspId)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) === 1;
}

function toTransfer(row: FspiopTransferRow): FspiopTransfer {
  return {
    transferId: row.transfer_id,
    lintasTransferId: row.lintas_transfer_id,
    payerFsp: row.payer_fsp,
    payeeFsp: row.payee_fsp,
    bodyHash: row.body_hash,
    condition: row.condition,
    expiration: row.expiration,
    state: row.state as FspiopTransferState,
    fulfilment: row.fulfilment,
    errorCode: row.error_code,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

export async function insertTransfer(tx: Tx, transfer: FspiopTransfer): Promise<boolean> {
  const inserted = await tx
    .insertInto('fspiop_transfers')
    .values({
      transfer_id: transfer.transferId,
      lintas_transfer_id: transfer.lintasTransferId,
      payer_fsp: transfer.payerFsp,
      payee_fsp: transfer.payeeFsp,
      body_hash: transfer.bodyHash,
      condition: transfer.condition,
      expiration: transfer.expiration,
      state: transfer.state,
      fulfilment: transfer.fulfilment,
      error_code: transfer.errorCode,
      created_at: transfer.createdAt,
      completed_at: transfer.completedAt,
    })
    .onConflict((conflict) => conflict.column('transfer_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findTransfer(
  db: Queryable,
  transferId: string,
  options: { lock?: boolean } = {},
): Promise<FspiopTransfer | undefined> {
  const query = db.selectFrom('fspiop_transfers').selectAll().where('transfer_id', '=', transferId);
  const row = await (options.lock ? forUpdate(db as Tx, query) : query).executeTakeFirst();
  return row && toTransfer(row);
}

/** Moves a RESERVED transfer to its final state; false when it was no longer RESERVED. */
export async function finishTransfer(
  tx: Tx,
  transferId: string,
  outcome: { state: FspiopTransferState; fulfilment: string | null; errorCode: string | null; at: string },
): Promise<boolean> {
  const updated = await tx
    .updateTable('fspiop_transfers')
    .set({
      state: outcome.state,
      fulfilment: outcome.fulfilment,
      error_code: outcome.errorCode,
      completed_at: outcome.at,
    })
    .where('transfer_id', '=', transferId)
    .where('state', '=', 'RESERVED')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** RESERVED transfers whose expiration has passed, oldest first. */
export async function expiredTransferIds(db: Queryable, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('fspiop_transfers')
    .select('transfer_id')
    .where('state', '=', 'RESERVED')
    .where('expiration', '<', now)
    .orderBy('expiration')
    .limit(limit)
    .execute();
  return rows.map((row) => row.transfer_id);
}

/** False when the wallet's `payer.ref` is already taken (a repeat that raced the original). */
export async function insertOutbound(tx: Tx, row: FspiopOutboundRow): Promise<boolean> {
  const result = await tx
    .insertInto('fspiop_outbound')
    .values(row)
    .onConflict((conflict) => conflict.columns(['wallet_id', 'payer_ref']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function findOutbound(
  db: Queryable,
  by: { quoteId: string } | { transferId: string } | { walletId: string; payerRef: string },
): Promise<FspiopOutboundRow | undefined> {
  let query = db.selectFrom('fspiop_outbound').selectAll();
  if ('quoteId' in by) query = query.where('quote_id', '=', by.quoteId);
  else if ('transferId' in by) query = query.where('transfer_id', '=', by.transferId);
  else query = query.where('wallet_id', '=', by.walletId).where('payer_ref', '=', by.payerRef);
  return query.executeTakeFirst();
}

/** Moves a QUOTING payment on; false when it was no longer quoting. */
export async function markOutbound(
  tx: Tx,
  quoteId: string,
  outcome: { state: 'TRANSFERRING' | 'FAILED'; errorCode: string | null },
): Promise<boolean> {
  const updated = await tx
    .updateTable('fspiop_outbound')
    .set({ state: outcome.state, error_code: outcome.errorCode })
    .where('quote_id', '=', quoteId)
    .where('state', '=', 'QUOTING')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function failOutbound(db: Database, quoteId: string, errorCode: string): Promise<void> {
  await inTransaction(db, (tx) => markOutbound(tx, quoteId, { state: 'FAILED', errorCode }));
}
