/**
 * A Lintas wallet pays a DFSP's party: the hub is the payer FSP (fspId `lintas`). It finds the party's
 * DFSP in the oracle, asks that DFSP for a quote (`POST /quotes`), and on its answer reserves the amount
 * against the wallet's net debit cap and sends `POST /transfers`; from there the transfer is an ordinary
 * FSPIOP transfer (the payee's fulfilment commits it, its error or the expiration releases it).
 */
import type { HubContext } from '../context.ts';
import { type FspiopOutboundRow, inTransaction } from '../db/index.ts';
import { type Caller, actorOf } from '../http/index.ts';
import { findParticipant, isIssuer } from '../participants/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { minor } from '../money/index.ts';
import { reservePayment } from '../transfers/index.ts';
import { dispatch } from './callbacks.ts';
import { fspiopAmountOf } from './merchants.ts';
import { bodyHashOf, errorInformationOf, hubFspId } from './model.ts';
import * as store from './store.ts';
import type { Dfsp } from './store.ts';
import { abortTransfer } from './transfers.ts';

/** How long the hub's transfer to the DFSP stands before it is aborted (3303). */
export const outboundTransferSeconds = 60;
/** How long the hub waits for the DFSP's quote: later, the payment has failed (3303) and a late quote is ignored. */
export const outboundQuoteSeconds = 60;

function quoteIsLate(ctx: HubContext, row: FspiopOutboundRow): boolean {
  return ctx.clock.now().getTime() - Date.parse(row.created_at) > outboundQuoteSeconds * 1000;
}

export type OutboundInput = {
  partyIdType: string;
  partyIdentifier: string;
  amount: number;
  currency: string;
  payerRef: string;
};

export type OutboundView = {
  id: string;
  payerRef: string;
  payee: { partyIdType: string; partyIdentifier: string; fspId: string };
  amount: number;
  currency: string;
  /** QUOTING, RESERVED, COMMITTED, or FAILED (then errorCode says why, an FSPIOP code). */
  state: string;
  errorCode: string | null;
  transferId: string | null;
  createdAt: string;
};

export type OutboundRefusal = 'forbidden' | 'fspiop_party_unknown' | 'fspiop_payer_ref_reused';

/** A version-4 UUID from the hub's randomness: FSPIOP's ids are UUIDs. */
function uuidOf(ctx: HubContext): string {
  const bytes = Buffer.from(ctx.random.bytes(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function viewOf(ctx: HubContext, stored: FspiopOutboundRow): Promise<OutboundView> {
  let row = stored;
  const transfer = row.state === 'TRANSFERRING' ? await store.findTransfer(ctx.db.kysely, row.transfer_id) : undefined;
  if (row.state === 'QUOTING' && quoteIsLate(ctx, row)) row = { ...row, state: 'FAILED', error_code: '3303' };
  const state = transfer ? (transfer.state === 'ABORTED' ? 'FAILED' : transfer.state) : row.state;
  return {
    id: row.transfer_id,
    payerRef: row.payer_ref,
    payee: { partyIdType: row.party_type, partyIdentifier: row.party_id, fspId: row.payee_fsp },
    amount: row.amount,
    currency: row.currency,
    state,
    errorCode: transfer ? transfer.errorCode : row.error_code,
    transferId: transfer?.lintasTransferId ?? null,
    createdAt: row.created_at,
  };
}

export async function findOutbound(ctx: HubContext, caller: Caller, id: string): Promise<OutboundView | undefined> {
  const row = await store.findOutbound(ctx.db.kysely, { transferId: id });
  return row && row.wallet_id === caller.id ? viewOf(ctx, row) : undefined;
}

function sameAsk(row: FspiopOutboundRow, input: OutboundInput): boolean {
  return (
    row.party_type === input.partyIdType &&
    row.party_id === input.partyIdentifier &&
    row.amount === input.amount &&
    row.currency === input.currency
  );
}

/** `POST /quotes` to the party's DFSP, the hub as the payer FSP; undelivered, the payment fails (1001). */
function askQuote(ctx: HubContext, row: FspiopOutboundRow, wallet: { id: string; name: string }, payee: Dfsp): void {
  const quote = {
    quoteId: row.quote_id,
    transactionId: row.transfer_id,
    payee: { partyIdInfo: { partyIdType: row.party_type, partyIdentifier: row.party_id, fspId: payee.fspId } },
    payer: {
      partyIdInfo: { partyIdType: 'ALIAS', partyIdentifier: wallet.id, fspId: hubFspId },
      name: wallet.name.slice(0, 128),
    },
    amountType: 'SEND',
    amount: { amount: fspiopAmountOf(row.amount, row.currency), currency: row.currency },
    transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
  };
  dispatch(
    ctx,
    {
      method: 'post',
      resource: 'quotes',
      path: '/quotes',
      baseUrl: payee.callbackUrl,
      source: hubFspId,
      destination: payee.fspId,
      body: quote,
    },
    async (delivery) => {
      if (!delivery.delivered) await store.failOutbound(ctx.db, row.quote_id, '1001');
    },
  );
}

/** The payment a wallet's `payer.ref` already names: the same ask is a repeat, another is refused. */
async function repeatOf(
  ctx: HubContext,
  walletId: string,
  input: OutboundInput,
): Promise<Result<{ view: OutboundView; repeated: boolean }, OutboundRefusal> | undefined> {
  const known = await store.findOutbound(ctx.db.kysely, { walletId, payerRef: input.payerRef });
  if (known === undefined) return undefined;
  if (!sameAsk(known, input))
    return refuse('fspiop_payer_ref_reused', `payer.ref ${input.payerRef} names another payment`);
  return ok({ view: await viewOf(ctx, known), repeated: true });
}

/** `POST /v1/fspiop/transfers`: the wallet's payment starts with the quote the hub asks of the party's DFSP. */
export async function startOutbound(
  ctx: HubContext,
  caller: Caller,
  input: OutboundInput,
): Promise<Result<{ view: OutboundView; repeated: boolean }, OutboundRefusal>> {
  const wallet = await findParticipant(ctx.db.kysely, caller.id);
  if (!wallet || !isIssuer(wallet) || wallet.status !== 'active')
    return refuse('forbidden', 'only an active issuer pays');
  const repeat = await repeatOf(ctx, wallet.id, input);
  if (repeat !== undefined) return repeat;
  const owner = await store.findPartyOwner(ctx.db.kysely, {
    type: input.partyIdType,
    id: input.partyIdentifier,
    subId: '',
  });
  const payee = owner && (await store.findDfsp(ctx.db.kysely, owner.fsp_id));
  if (!payee?.currencies.includes(input.currency)) {
    return refuse(
      'fspiop_party_unknown',
      `no DFSP holds ${input.partyIdType} ${input.partyIdentifier} in ${input.currency}`,
    );
  }
  const row: FspiopOutboundRow = {
    quote_id: uuidOf(ctx),
    transfer_id: uuidOf(ctx),
    wallet_id: wallet.id,
    payer_ref: input.payerRef,
    payee_fsp: payee.fspId,
    party_type: input.partyIdType,
    party_id: input.partyIdentifier,
    amount: input.amount,
    currency: input.currency,
    state: 'QUOTING',
    error_code: null,
    created_at: ctx.clock.now().toISOString(),
  };
  const inserted = await inTransaction(ctx.db, async (tx) => {
    if (!(await store.insertOutbound(tx, row))) return false;
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'fspiop_outbound.started',
      objectType: 'fspiop_outbound',
      objectId: row.transfer_id,
      before: null,
      after: row,
    });
    return true;
  });
  if (!inserted) {
    const raced = await repeatOf(ctx, wallet.id, input);
    invariant(raced !== undefined, `payer.ref ${input.payerRef} of ${wallet.id} is held once its insert conflicted`);
    return raced;
  }
  askQuote(ctx, row, wallet, payee);
  return ok({ view: await viewOf(ctx, row), repeated: false });
}

export type QuoteAnswer = {
  transferAmount: { amount: string; currency: string };
  expiration: string;
  ilpPacket: string;
  condition: string;
};

/** `PUT /quotes/{ID}` to `lintas`: the DFSP's quote; the hub reserves and sends the transfer. */
export async function quoteAnswered(ctx: HubContext, source: { fspId: string }, quoteId: string, body: QuoteAnswer) {
  const row = await store.findOutbound(ctx.db.kysely, { quoteId });
  if (row?.state !== 'QUOTING' || row.payee_fsp !== source.fspId) return;
  if (quoteIsLate(ctx, row)) {
    await store.failOutbound(ctx.db, quoteId, '3303');
    return;
  }
  const payee = await store.findDfsp(ctx.db.kysely, row.payee_fsp);
  invariant(payee !== undefined, `DFSP ${row.payee_fsp} of outbound ${row.quote_id} exists`);
  const asked = { amount: fspiopAmountOf(row.amount, row.currency), currency: row.currency };
  if (body.transferAmount.amount !== asked.amount || body.transferAmount.currency !== asked.currency) {
    await store.failOutbound(ctx.db, quoteId, '5101');
    return;
  }
  const now = ctx.clock.now().getTime();
  const expiration = new Date(Math.min(Date.parse(body.expiration), now + outboundTransferSeconds * 1000));
  const prepare = {
    transferId: row.transfer_id,
    payerFsp: hubFspId,
    payeeFsp: payee.fspId,
    amount: asked,
    ilpPacket: body.ilpPacket,
    condition: body.condition,
    expiration: expiration.toISOString(),
  };
  const reserved = await inTransaction(ctx.db, async (tx) => {
    const held = await reservePayment(ctx, tx, {
      payerId: row.wallet_id,
      payeeId: payee.participantId,
      merchantId: payee.merchantId,
      amount: minor(row.amount),
      currency: row.currency,
      source: 'fspiop',
      payerRef: row.payer_ref,
    });
    if (!held.ok) return false;
    const transfer = {
      transferId: row.transfer_id,
      lintasTransferId: held.value.id,
      payerFsp: hubFspId,
      payeeFsp: payee.fspId,
      bodyHash: bodyHashOf(prepare),
      condition: prepare.condition,
      expiration: prepare.expiration,
      state: 'RESERVED' as const,
      fulfilment: null,
      errorCode: null,
      createdAt: held.value.createdAt,
      completedAt: null,
    };
    invariant(await store.insertTransfer(tx, transfer), `outbound transfer ${row.transfer_id} is new`);
    await store.markOutbound(tx, quoteId, { state: 'TRANSFERRING', errorCode: null });
    return true;
  });
  if (!reserved) {
    await store.failOutbound(ctx.db, quoteId, '4001');
    return;
  }
  const message = { method: 'post' as const, resource: 'transfers' as const, path: '/transfers', body: prepare };
  dispatch(
    ctx,
    { ...message, baseUrl: payee.callbackUrl, source: hubFspId, destination: payee.fspId },
    async (delivery) => {
      if (delivery.delivered) return;
      await abortTransfer(ctx, row.transfer_id, errorInformationOf('1001', `${payee.fspId} ${delivery.detail}`), {
        toPayee: false,
      });
    },
  );
}

export type QuoteError = { errorInformation: { errorCode: string } };

/** `PUT /quotes/{ID}/error` to `lintas`: the DFSP will not quote; the wallet's payment fails with its code. */
export async function quoteRefused(ctx: HubContext, source: { fspId: string }, quoteId: string, body: QuoteError) {
  const row = await store.findOutbound(ctx.db.kysely, { quoteId });
  if (row?.state === 'QUOTING' && row.payee_fsp === source.fspId) {
    await store.failOutbound(ctx.db, quoteId, body.errorInformation.errorCode);
  }
}
