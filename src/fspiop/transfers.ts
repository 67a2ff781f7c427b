/**
 * FSPIOP transfers as Lintas two-phase transfers: `POST /transfers`
 * reserves against the payer DFSP's net debit cap and goes on to the payee;
 * the payee's fulfilment commits (and goes back to the payer as COMMITTED);
 * an error, a wrong fulfilment or the expiration releases. The money rules
 * are the transfers capability's, reached through its door.
 */
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { parseDecimalAmount } from '../money/index.ts';
import { invariant } from '../platform/index.ts';
import { commitReservation, isPayerRefConflict, releaseReservation, reservePayment } from '../transfers/index.ts';
import { dispatch } from './callbacks.ts';
import {
  type ErrorInformation,
  type FspiopErrorCode,
  bodyHashOf,
  errorInformationOf,
  fulfils,
  hubFspId,
  nextTransferState,
} from './model.ts';
import { sendError, sourceDfsp } from './service.ts';
import * as store from './store.ts';
import type { Dfsp, FspiopTransfer } from './store.ts';

/** The most expired transfers one tick of the expiry worker aborts. */
export const expiryBatchTransfersMax = 100;

export type TransferPrepare = {
  transferId: string;
  payerFsp: string;
  payeeFsp: string;
  amount: { currency: string; amount: string };
  condition: string;
  expiration: string;
  ilpPacket: string;
};

export type TransferFulfil = { transferState: string; fulfilment?: string; completedTimestamp?: string };

/** What of the payer's request goes on with it: its end-to-end headers and its FSPIOP version. */
export type Relayed = { forwarded: Readonly<Record<string, string | undefined>>; version: string };

const transferPath = (transferId: string) => `/transfers/${transferId}`;

/** Why a prepare is refused before anything is reserved, with the code the payer hears. */
function prepareRefusal(
  ctx: HubContext,
  source: Dfsp,
  payee: Dfsp | undefined,
  body: TransferPrepare,
): { code: FspiopErrorCode; detail?: string } | undefined {
  if (body.payerFsp !== source.fspId) return { code: '3100', detail: 'payerFsp is not FSPIOP-Source' };
  if (!payee) return { code: '3203', detail: `${body.payeeFsp} is no DFSP of this hub` };
  const currency = body.amount.currency;
  if (!source.currencies.includes(currency))
    return { code: '3100', detail: `${source.fspId} does not hold ${currency}` };
  if (!payee.currencies.includes(currency)) return { code: '3100', detail: `${payee.fspId} does not hold ${currency}` };
  const amount = parseDecimalAmount(body.amount.amount, currency);
  if (!amount.ok || amount.amount <= 0) return { code: '3100', detail: `amount ${body.amount.amount} ${currency}` };
  if (Date.parse(body.expiration) <= ctx.clock.now().getTime()) return { code: '3303' };
  return undefined;
}

type Prepared =
  | { kind: 'reserved'; transfer: FspiopTransfer }
  | { kind: 'duplicate'; transfer: FspiopTransfer }
  | { kind: 'over_cap' };

async function reserve(ctx: HubContext, source: Dfsp, payee: Dfsp, body: TransferPrepare): Promise<Prepared> {
  const amount = parseDecimalAmount(body.amount.amount, body.amount.currency);
  invariant(amount.ok, `amount ${body.amount.amount} was checked before reserving`);
  return inTransaction(ctx.db, async (tx) => {
    const existing = await store.findTransfer(tx, body.transferId);
    if (existing) return { kind: 'duplicate', transfer: existing };
    const reserved = await reservePayment(ctx, tx, {
      payerId: source.participantId,
      payeeId: payee.participantId,
      merchantId: payee.merchantId,
      amount: amount.amount,
      currency: body.amount.currency,
      source: 'fspiop',
      payerRef: body.transferId,
    });
    if (!reserved.ok) return { kind: 'over_cap' };
    const transfer: FspiopTransfer = {
      transferId: body.transferId,
      lintasTransferId: reserved.value.id,
      payerFsp: source.fspId,
      payeeFsp: payee.fspId,
      bodyHash: bodyHashOf(body),
      condition: body.condition,
      expiration: new Date(body.expiration).toISOString(),
      state: 'RESERVED',
      fulfilment: null,
      errorCode: null,
      createdAt: reserved.value.createdAt,
      completedAt: null,
    };
    invariant(await store.insertTransfer(tx, transfer), `fspiop transfer ${body.transferId} is new under its lock`);
    return { kind: 'reserved', transfer };
  });
}

/** The same transfer id at once from two requests: the loser reads what the winner made. */
async function reserveOnce(ctx: HubContext, source: Dfsp, payee: Dfsp, body: TransferPrepare): Promise<Prepared> {
  try {
    return await reserve(ctx, source, payee, body);
  } catch (error) {
    if (!isPayerRefConflict(error)) throw error;
    const existing = await store.findTransfer(ctx.db.kysely, body.transferId);
    invariant(
      existing !== undefined,
      `fspiop transfer ${body.transferId} committed with the reservation it conflicted with`,
    );
    return { kind: 'duplicate', transfer: existing };
  }
}

/** `POST /transfers` from the payer DFSP. */
export async function prepareTransfer(ctx: HubContext, source: Dfsp, body: TransferPrepare, relayed: Relayed) {
  const path = transferPath(body.transferId);
  const payee = await sourceDfsp(ctx, body.payeeFsp);
  const refusal = prepareRefusal(ctx, source, payee, body);
  if (refusal || !payee) {
    sendError(ctx, source, 'transfers', path, refusal?.code ?? '3203', refusal?.detail);
    return;
  }
  const prepared = await reserveOnce(ctx, source, payee, body);
  if (prepared.kind === 'over_cap') {
    sendError(ctx, source, 'transfers', path, '4001', `${source.fspId}'s net debit cap`);
    return;
  }
  if (prepared.kind === 'duplicate') {
    if (prepared.transfer.bodyHash !== bodyHashOf(body)) sendError(ctx, source, 'transfers', path, '3106');
    // A repeat of a transfer still in flight is answered when it completes.
    else if (prepared.transfer.state !== 'RESERVED') sendState(ctx, prepared.transfer, source);
    return;
  }
  dispatch(
    ctx,
    {
      method: 'post',
      resource: 'transfers',
      path: '/transfers',
      baseUrl: payee.callbackUrl,
      source: source.fspId,
      destination: payee.fspId,
      body,
      ...relayed,
    },
    async (delivery) => {
      if (!delivery.delivered)
        await abortTransfer(ctx, body.transferId, errorInformationOf('1001', `${payee.fspId} ${delivery.detail}`), {
          toPayee: false,
        });
    },
  );
}

/** Tells a DFSP where a transfer stands: `PUT /transfers/{id}` (committed, reserved) or its error (aborted). */
export function sendState(ctx: HubContext, transfer: FspiopTransfer, to: Dfsp): void {
  if (transfer.state === 'ABORTED') {
    const code = (transfer.errorCode ?? '5000') as FspiopErrorCode;
    sendError(ctx, to, 'transfers', transferPath(transfer.transferId), code);
    return;
  }
  const body = {
    transferState: transfer.state,
    ...(transfer.fulfilment === null ? {} : { fulfilment: transfer.fulfilment }),
    ...(transfer.completedAt === null ? {} : { completedTimestamp: transfer.completedAt }),
  };
  dispatch(ctx, {
    method: 'put',
    resource: 'transfers',
    path: transferPath(transfer.transferId),
    baseUrl: to.callbackUrl,
    source: hubFspId,
    destination: to.fspId,
    body,
  });
}

/** `GET /transfers/{id}` from the payer or the payee. */
export async function getTransfer(ctx: HubContext, source: Dfsp, transferId: string): Promise<void> {
  const transfer = await store.findTransfer(ctx.db.kysely, transferId);
  const party = transfer && (transfer.payerFsp === source.fspId || transfer.payeeFsp === source.fspId);
  if (!transfer || !party) sendError(ctx, source, 'transfers', transferPath(transferId), '3208');
  else sendState(ctx, transfer, source);
}

/**
 * Releases a reserved transfer and tells the payer (and the payee, unless it
 * is the one who said no) why. A transfer no longer reserved is left as it is.
 */
export async function abortTransfer(
  ctx: HubContext,
  transferId: string,
  error: ErrorInformation | { errorInformation: { errorCode: string; errorDescription: string } },
  options: { toPayee: boolean; source?: string; relayed?: Relayed },
): Promise<boolean> {
  const at = ctx.clock.now().toISOString();
  const aborted = await inTransaction(ctx.db, async (tx) => {
    const transfer = await store.findTransfer(tx, transferId, { lock: true });
    if (!transfer || nextTransferState(transfer.state, 'abort') === undefined) return undefined;
    const released = await releaseReservation(ctx, tx, transfer.lintasTransferId);
    invariant(released.status === 'released', `transfer ${transfer.lintasTransferId} is released with ${transferId}`);
    const errorCode = error.errorInformation.errorCode;
    invariant(
      await store.finishTransfer(tx, transferId, { state: 'ABORTED', fulfilment: null, errorCode, at }),
      `fspiop transfer ${transferId} was reserved under its lock`,
    );
    return transfer;
  });
  if (!aborted) return false;
  const path = `${transferPath(transferId)}/error`;
  const parties = [aborted.payerFsp, ...(options.toPayee ? [aborted.payeeFsp] : [])];
  for (const fspId of parties) {
    const to = await store.findDfsp(ctx.db.kysely, fspId);
    if (!to) continue;
    dispatch(ctx, {
      method: 'put',
      resource: 'transfers',
      path,
      baseUrl: to.callbackUrl,
      source: options.source ?? hubFspId,
      destination: fspId,
      body: error,
      ...options.relayed,
    });
  }
  return true;
}

/** Commits a reserved transfer with its fulfilment; undefined when it was no longer reserved. */
async function commit(ctx: HubContext, transferId: string, fulfilment: string): Promise<FspiopTransfer | undefined> {
  const at = ctx.clock.now().toISOString();
  return inTransaction(ctx.db, async (tx) => {
    const transfer = await store.findTransfer(tx, transferId, { lock: true });
    if (!transfer || nextTransferState(transfer.state, 'commit') === undefined) return undefined;
    const committed = await commitReservation(ctx, tx, transfer.lintasTransferId);
    invariant(committed.status === 'committed', `transfer ${transfer.lintasTransferId} commits with ${transferId}`);
    invariant(
      await store.finishTransfer(tx, transferId, { state: 'COMMITTED', fulfilment, errorCode: null, at }),
      `fspiop transfer ${transferId} was reserved under its lock`,
    );
    return { ...transfer, state: 'COMMITTED', fulfilment, completedAt: at };
  });
}

/**
 * `PUT /transfers/{id}` from the payee DFSP: its fulfilment, or its refusal (ABORTED). The commit goes to
 * the payer as the payee's own message, as Mojaloop's switch passes the fulfil on: its body, version and
 * signature untouched when it already says COMMITTED, so a payer that checks the payee's JWS can.
 */
export async function fulfilTransfer(
  ctx: HubContext,
  source: Dfsp,
  transferId: string,
  body: TransferFulfil,
  relayed: Relayed,
) {
  const path = transferPath(transferId);
  const transfer = await store.findTransfer(ctx.db.kysely, transferId);
  if (!transfer || transfer.payeeFsp !== source.fspId) {
    sendError(ctx, source, 'transfers', path, '3208');
    return;
  }
  if (transfer.state !== 'RESERVED') {
    sendState(ctx, transfer, source);
    return;
  }
  const error = fulfilRefusal(ctx, transfer, body);
  if (error) {
    await abortTransfer(ctx, transferId, error, { toPayee: true });
    return;
  }
  const committed = await commit(ctx, transferId, body.fulfilment as string);
  const payer = await store.findDfsp(ctx.db.kysely, transfer.payerFsp);
  if (committed && payer) {
    const asSent = body.transferState === 'COMMITTED';
    const answer = asSent
      ? body
      : { fulfilment: committed.fulfilment, completedTimestamp: committed.completedAt, transferState: 'COMMITTED' };
    dispatch(ctx, {
      method: 'put',
      resource: 'transfers',
      path,
      baseUrl: payer.callbackUrl,
      source: source.fspId,
      destination: payer.fspId,
      body: answer,
      version: relayed.version,
      ...(asSent ? { forwarded: relayed.forwarded } : {}),
    });
  } else if (!committed) {
    const now = await store.findTransfer(ctx.db.kysely, transferId);
    if (now) sendState(ctx, now, source);
  }
}

function fulfilRefusal(ctx: HubContext, transfer: FspiopTransfer, body: TransferFulfil): ErrorInformation | undefined {
  if (body.transferState === 'ABORTED') return errorInformationOf('5000', `${transfer.payeeFsp} aborted the transfer`);
  if (Date.parse(transfer.expiration) < ctx.clock.now().getTime()) return errorInformationOf('3303');
  if (body.fulfilment === undefined || !fulfils(body.fulfilment, transfer.condition)) {
    return errorInformationOf('3100', 'the fulfilment does not match the condition');
  }
  return undefined;
}

/** `PUT /transfers/{id}/error` from the payee: released, and its error passed on to the payer as it was sent. */
export async function rejectTransfer(
  ctx: HubContext,
  source: Dfsp,
  transferId: string,
  body: { errorInformation: { errorCode: string; errorDescription: string } },
  relayed: Relayed,
): Promise<void> {
  const transfer = await store.findTransfer(ctx.db.kysely, transferId);
  if (!transfer || transfer.payeeFsp !== source.fspId) {
    sendError(ctx, source, 'transfers', transferPath(transferId), '3208');
    return;
  }
  await abortTransfer(ctx, transferId, body, { toPayee: false, source: source.fspId, relayed });
}

/** Aborts every reserved transfer past its expiration (3303 to payer and payee); the count aborted. */
export async function expireTransfers(ctx: HubContext): Promise<number> {
  const due = await store.expiredTransferIds(ctx.db.kysely, ctx.clock.now().toISOString(), expiryBatchTransfersMax);
  let aborted = 0;
  for (const transferId of due) {
    if (await abortTransfer(ctx, transferId, errorInformationOf('3303'), { toPayee: true })) aborted += 1;
  }
  return aborted;
}
