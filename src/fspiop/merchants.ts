/**
 * A Mojaloop DFSP pays a Lintas merchant: the hub itself is the payee FSP (fspId `lintas`) of every
 * Lintas payment token (`pt_…`, the token a checkout's or till's QR carries in the hub's template),
 * looked up as party `ALIAS/{token}`. The DFSP pays as a Lintas wallet would, through the payments
 * capability's door: the merchant must have an approved channel with the DFSP's participant (and a
 * checkout must offer it), and the payment is the checkout's or till's own, webhook included.
 *
 * The hub answers the quote itself. Its ilpPacket is its own reference to what is paid (base64url JSON,
 * read only by the hub, not an ILP v4 packet), and the fulfilment is an HMAC of that packet under a key
 * derived from the master key: the hub recognises its own quotes without keeping them, and the payer
 * can check the fulfilment against the condition as FSPIOP has it.
 */
import { createHash, createHmac } from 'node:crypto';
import type { HubContext } from '../context.ts';
import type { Caller } from '../http/index.ts';
import { formatDecimalAmount, minor, parseDecimalAmount } from '../money/index.ts';
import type { PaymentRequest, PaymentService } from '../payments/index.ts';
import { dispatch } from './callbacks.ts';
import { inTransaction } from '../db/index.ts';
import { type FspiopErrorCode, bodyHashOf, hubFspId } from './model.ts';
import { sendError } from './service.ts';
import * as store from './store.ts';
import type { Dfsp, PartyKey } from './store.ts';
import { type TransferPrepare, sendState } from './transfers.ts';

/** The party type under which a Lintas payment token is looked up and quoted. */
export const merchantPartyType = 'ALIAS';
const paymentTokenPrefix = 'pt_';
/** How long the hub's quote stands. */
export const hubQuoteSeconds = 60;

/** Whether a party identifier is a Lintas payment token, so the hub itself answers for it. */
export function isHubParty(key: Pick<PartyKey, 'type' | 'id'>): boolean {
  return key.type === merchantPartyType && key.id.startsWith(paymentTokenPrefix);
}

/** The DFSP as the payments capability sees it: its participant, paying as a wallet. */
function walletCallerOf(dfsp: Dfsp): Caller {
  return { type: 'participant', id: dfsp.participantId, keyId: `fspiop:${dfsp.fspId}` };
}

/** FSPIOP's Amount has no trailing zeros: 12.50 is 12.5, 100.00 is 100. */
export function fspiopAmountOf(amount: number, currency: string): string {
  const text = formatDecimalAmount(minor(amount), currency);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function fulfilmentKey(ctx: HubContext): Buffer {
  return createHmac('sha256', Buffer.from(ctx.config.masterKey.reveal(), 'base64url'))
    .update('lintas fspiop merchant fulfilment v1')
    .digest();
}

function fulfilmentOf(ctx: HubContext, ilpPacket: string): Buffer {
  return createHmac('sha256', fulfilmentKey(ctx)).update(ilpPacket).digest();
}

type HubQuote = { quoteId: string; transactionId: string; token: string; amount: string; currency: string };

function send(ctx: HubContext, to: Dfsp, resource: 'parties' | 'quotes' | 'transfers', path: string, body: unknown) {
  dispatch(ctx, {
    method: 'put',
    resource,
    path,
    baseUrl: to.callbackUrl,
    source: hubFspId,
    destination: to.fspId,
    body,
  });
}

/** `GET /parties/ALIAS/{token}`: the merchant the token pays, as a party of the hub. */
export async function lookUpMerchant(ctx: HubContext, payments: PaymentService, source: Dfsp, key: PartyKey) {
  const path = `/parties/${merchantPartyType}/${encodeURIComponent(key.id)}`;
  const resolved = await payments.resolve(ctx, walletCallerOf(source), { token: key.id });
  if (!resolved.ok) {
    sendError(ctx, source, 'parties', path, '3204', `${resolved.code}: ${resolved.detail}`);
    return;
  }
  const { merchant } = resolved.value;
  const party = {
    partyIdInfo: { partyIdType: merchantPartyType, partyIdentifier: key.id, fspId: hubFspId },
    merchantClassificationCode: merchant.mcc,
    name: merchant.name.slice(0, 128),
  };
  send(ctx, source, 'parties', path, { party });
}

type QuoteRequest = {
  quoteId: string;
  transactionId: string;
  payee: { partyIdInfo: { partyIdType: string; partyIdentifier: string } };
  amount: { amount: string; currency: string };
};

/** Why the hub will not quote what the DFSP asks for this payment request; undefined when it will. */
function quoteRefusal(asked: QuoteRequest, request: PaymentRequest): string | undefined {
  if (asked.amount.currency !== request.currency) return `the payment is in ${request.currency}`;
  const amount = parseDecimalAmount(asked.amount.amount, asked.amount.currency);
  if (!amount.ok) return `amount ${asked.amount.amount} ${asked.amount.currency}`;
  if (request.amount !== null && amount.amount !== request.amount) {
    return `the payment is for ${fspiopAmountOf(request.amount, request.currency)} ${request.currency}`;
  }
  return amount.amount > 0 ? undefined : 'the amount must be more than 0';
}

/** `POST /quotes` to the hub: the amount the token asks, the hub's condition and reference. */
export async function quoteMerchant(ctx: HubContext, payments: PaymentService, source: Dfsp, body: QuoteRequest) {
  const path = `/quotes/${body.quoteId}`;
  const token = body.payee.partyIdInfo.partyIdentifier;
  const resolved = await payments.resolve(ctx, walletCallerOf(source), { token });
  const refusal = resolved.ok ? quoteRefusal(body, resolved.value) : `${resolved.code}: ${resolved.detail}`;
  if (refusal !== undefined) {
    sendError(ctx, source, 'quotes', path, resolved.ok ? '5101' : '3204', refusal);
    return;
  }
  const quote: HubQuote = {
    quoteId: body.quoteId,
    transactionId: body.transactionId,
    token,
    amount: body.amount.amount,
    currency: body.amount.currency,
  };
  const ilpPacket = Buffer.from(JSON.stringify(quote)).toString('base64url');
  const condition = createHash('sha256').update(fulfilmentOf(ctx, ilpPacket)).digest('base64url');
  const expiration = new Date(ctx.clock.now().getTime() + hubQuoteSeconds * 1000).toISOString();
  send(ctx, source, 'quotes', path, { transferAmount: body.amount, expiration, ilpPacket, condition });
}

/** The hub's quote a transfer carries, when its packet is one the hub made and its condition the hub's. */
function hubQuoteOf(ctx: HubContext, body: TransferPrepare): HubQuote | undefined {
  const fulfilment = fulfilmentOf(ctx, body.ilpPacket);
  if (createHash('sha256').update(fulfilment).digest('base64url') !== body.condition) return undefined;
  // Only the hub's own key makes a matching condition, so the packet is the JSON the hub wrote.
  return JSON.parse(Buffer.from(body.ilpPacket, 'base64url').toString('utf8')) as HubQuote;
}

/** What the payer hears when the payment is refused: its cap, or the merchant's side saying no. */
function transferErrorOf(code: string): FspiopErrorCode {
  return code === 'limit_exceeded' ? '4001' : '5104';
}

/** Why the hub will not take this transfer to one of its merchants; undefined when it will. */
function payRefusal(ctx: HubContext, source: Dfsp, body: TransferPrepare, quote: HubQuote | undefined) {
  if (body.payerFsp !== source.fspId) return 'payerFsp is not FSPIOP-Source';
  if (!source.currencies.includes(body.amount.currency)) return `${source.fspId} does not hold ${body.amount.currency}`;
  if (!quote || quote.amount !== body.amount.amount || quote.currency !== body.amount.currency) {
    return 'the condition, packet or amount is not the hub quote';
  }
  return Date.parse(body.expiration) <= ctx.clock.now().getTime() ? 'the transfer has expired' : undefined;
}

/**
 * `POST /transfers` to the hub: the payment is made at once (the hub is both switch and payee, so there
 * is nothing to reserve for), and the payer hears COMMITTED with the fulfilment. The FSPIOP transfer id
 * is the payment's payer reference, so a repeat returns the same payment; another body under it is 3106.
 */
export async function payMerchant(ctx: HubContext, payments: PaymentService, source: Dfsp, body: TransferPrepare) {
  const path = `/transfers/${body.transferId}`;
  const known = await store.findTransfer(ctx.db.kysely, body.transferId);
  if (known) {
    if (known.bodyHash !== bodyHashOf(body)) sendError(ctx, source, 'transfers', path, '3106');
    else sendState(ctx, known, source);
    return;
  }
  const quote = hubQuoteOf(ctx, body);
  const refusal = payRefusal(ctx, source, body, quote);
  const amount = parseDecimalAmount(body.amount.amount, body.amount.currency);
  if (refusal !== undefined || !quote || !amount.ok) {
    sendError(ctx, source, 'transfers', path, '3100', refusal ?? 'amount');
    return;
  }
  const paid = await payments.transfer(ctx, walletCallerOf(source), {
    paymentToken: quote.token,
    amount: amount.amount,
    currency: body.amount.currency,
    payerRef: body.transferId,
  });
  if (!paid.ok) {
    sendError(ctx, source, 'transfers', path, transferErrorOf(paid.code), `${paid.code}: ${paid.detail}`);
    return;
  }
  const fulfilment = fulfilmentOf(ctx, body.ilpPacket).toString('base64url');
  const at = ctx.clock.now().toISOString();
  const transfer = {
    transferId: body.transferId,
    lintasTransferId: paid.value.transfer.id,
    payerFsp: source.fspId,
    payeeFsp: hubFspId,
    bodyHash: bodyHashOf(body),
    condition: body.condition,
    expiration: new Date(body.expiration).toISOString(),
    state: 'COMMITTED' as const,
    fulfilment,
    errorCode: null,
    createdAt: at,
    completedAt: at,
  };
  await inTransaction(ctx.db, (tx) => store.insertTransfer(tx, transfer));
  send(ctx, source, 'transfers', path, { fulfilment, completedTimestamp: at, transferState: 'COMMITTED' });
}
