/**
 * Transfers: money owed from an issuer to an acquirer (a payment) or back
 * (a refund), with its fees; the unit of clearing. Pure rules, no I/O.
 */
import type { Fees } from '../fees/index.ts';
import { type Posting, hubAccount, netMoves } from '../ledger/index.ts';
import { type Minor, minor } from '../money/index.ts';
import type { Random } from '../platform/index.ts';

/**
 * A chargeback is a refund the merchant did not choose: a dispute's money
 * going back, posted alike. An arbitration fee is what the loser of a ruled
 * dispute pays the hub: a transfer of amount 0 whose payer pays the fee as
 * its switch fee, so reports and checks read it as any other fee.
 */
export type TransferKind = 'payment' | 'refund' | 'chargeback' | 'arbitration_fee';
export type TransferStatus = 'committed' | 'reserved' | 'released';
export type PaymentSource = 'checkout' | 'placard' | 'till_qr' | 'payment_code' | 'fspiop';
export type TransferSource = PaymentSource | 'refund' | 'chargeback' | 'arbitration_fee';

export const paymentSources = [
  'checkout',
  'placard',
  'till_qr',
  'payment_code',
  'fspiop',
] as const satisfies readonly PaymentSource[];

/**
 * The fees of a transfer, fixed when it is made: on a payment what it
 * charged, on a refund what it returned (interchange in proportion; never a
 * switch fee nor the merchant discount).
 */
export type TransferFees = Fees;

export type Transfer = {
  id: string;
  kind: TransferKind;
  status: TransferStatus;
  receiptNumber: string;
  amount: Minor;
  currency: string;
  payerParticipantId: string;
  payeeParticipantId: string;
  merchantId: string;
  checkoutId: string | null;
  payerRef: string | null;
  source: TransferSource;
  /** The payment a refund or chargeback returns; null on payments. */
  paymentTransferId: string | null;
  /** On a payment: the sum of its committed refunds. */
  refundedAmount: Minor;
  /** Payer and payee are the same participant. */
  onUs: boolean;
  fees: TransferFees;
  /** The settlement window the transfer was committed in; null while reserved or once released. */
  windowId: string | null;
  /** That window's business date (YYYY-MM-DD). */
  businessDate: string | null;
  createdAt: string;
  committedAt: string | null;
  releasedAt: string | null;
};

/** A transfer as the API and events show it: a fresh object with its fields in one stable order. */
export function transferJson(transfer: Transfer): Transfer {
  return {
    id: transfer.id,
    kind: transfer.kind,
    status: transfer.status,
    receiptNumber: transfer.receiptNumber,
    amount: transfer.amount,
    currency: transfer.currency,
    payerParticipantId: transfer.payerParticipantId,
    payeeParticipantId: transfer.payeeParticipantId,
    merchantId: transfer.merchantId,
    checkoutId: transfer.checkoutId,
    payerRef: transfer.payerRef,
    source: transfer.source,
    paymentTransferId: transfer.paymentTransferId,
    refundedAmount: transfer.refundedAmount,
    onUs: transfer.onUs,
    fees: transfer.fees,
    windowId: transfer.windowId,
    businessDate: transfer.businessDate,
    createdAt: transfer.createdAt,
    committedAt: transfer.committedAt,
    releasedAt: transfer.releasedAt,
  };
}

/** Why a payment or reservation is refused, in the order checked. */
export type TransferRefusal =
  /** The payer's headroom (cap + prefunding + position − reserved) would go below zero. */
  'limit_exceeded';

/** Why a refund is refused, in the order checked. */
export type RefundRefusal =
  /** The transfer is not a committed payment (a reservation, a released one, or a refund itself). */
  | 'payment_not_refundable'
  /** The amount passes what remains of the payment after its earlier refunds. */
  | 'refund_exceeds_remaining'
  /** The acquirer's headroom would go below zero. */
  | 'limit_exceeded';

export type TransferEvent = 'commit' | 'release';

/** The one table of allowed transitions. A payment posted at once is born committed. */
const transferTransitions: Record<TransferStatus, Partial<Record<TransferEvent, TransferStatus>>> = {
  reserved: { commit: 'committed', release: 'released' },
  committed: {},
  released: {},
};

export function nextTransferStatus(from: TransferStatus, event: TransferEvent): TransferStatus | undefined {
  return transferTransitions[from][event];
}

/** The stamp each transition sets. */
export function stampOf(event: TransferEvent): 'committed_at' | 'released_at' {
  switch (event) {
    case 'commit':
      return 'committed_at';
    case 'release':
      return 'released_at';
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown transfer event ${String(unknownEvent)}`);
    }
  }
}

/**
 * A payment of A with interchange I and switch fees Si, Sa moves the issuer
 * −(A − I) − Si, the acquirer +(A − I) − Sa and the hub +Si + Sa. The
 * merchant discount is never posted. Zero lines are left out.
 */
export function paymentPostings(payment: {
  payerId: string;
  payeeId: string;
  amount: Minor;
  fees: TransferFees;
}): Posting[] {
  const { amount, fees } = payment;
  const postings: Posting[] = [
    { account: payment.payerId, amount: minor(-(amount - fees.interchange + fees.issuerSwitchFee)) },
    { account: payment.payeeId, amount: minor(amount - fees.interchange - fees.acquirerSwitchFee) },
    { account: hubAccount, amount: minor(fees.issuerSwitchFee + fees.acquirerSwitchFee) },
  ];
  return postings.filter((posting) => posting.amount !== 0);
}

/**
 * A refund (or chargeback) R returning interchange Ir moves the acquirer −(R − Ir) and the
 * issuer +(R − Ir); no switch fee. A refund that only returns interchange
 * (R = Ir) moves nothing and posts no entries.
 */
export function refundPostings(refund: {
  payerId: string;
  payeeId: string;
  amount: Minor;
  interchangeReturned: Minor;
}): Posting[] {
  const net = minor(refund.amount - refund.interchangeReturned);
  if (net === 0) return [];
  return [
    { account: refund.payerId, amount: minor(-net) },
    { account: refund.payeeId, amount: net },
  ];
}

/** The postings of any transfer, from its own fields: the one place a transfer's money moves are derived. */
export function postingsOf(
  transfer: Pick<Transfer, 'kind' | 'payerParticipantId' | 'payeeParticipantId' | 'amount' | 'fees'>,
): Posting[] {
  const parties = {
    payerId: transfer.payerParticipantId,
    payeeId: transfer.payeeParticipantId,
    amount: transfer.amount,
  };
  return transfer.kind === 'payment' || transfer.kind === 'arbitration_fee'
    ? paymentPostings({ ...parties, fees: transfer.fees })
    : refundPostings({ ...parties, interchangeReturned: transfer.fees.interchange });
}

/**
 * What committing the transfer will debit its payer: A − I + Si, or on-us
 * Si + Sa. A reservation sets exactly this aside, so its commit can never
 * take the payer past its cap.
 */
export function payerDebitOf(
  transfer: Pick<Transfer, 'kind' | 'payerParticipantId' | 'payeeParticipantId' | 'amount' | 'fees'>,
): Minor {
  const move = netMoves(postingsOf(transfer)).get(transfer.payerParticipantId) ?? 0;
  return minor(Math.max(0, -move));
}

export const receiptNumberDigits = 12;
const receiptPayloadDigits = receiptNumberDigits - 1;
const receiptPayloadSpace = 10 ** receiptPayloadDigits;
const receiptDrawBytes = 5;
/**
 * The largest multiple of the payload space below 2^40: draws above it are redrawn, so every payload is equally likely.
 */
const receiptDrawLimit = Math.floor(2 ** (8 * receiptDrawBytes) / receiptPayloadSpace) * receiptPayloadSpace;
/** A draw is kept with probability 0.91; 64 misses in a row means the random source is broken. */
const receiptDrawAttemptsMax = 64;

/** The Luhn (mod 10) digit that makes `payload` followed by it pass the check. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let index = 0; index < payload.length; index += 1) {
    const digit = payload.charCodeAt(payload.length - 1 - index) - 48;
    if (digit < 0 || digit > 9) throw new RangeError(`not a digit string: ${payload}`);
    const weighted = index % 2 === 0 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidReceiptNumber(text: string): boolean {
  return /^[0-9]{12}$/.test(text) && luhnCheckDigit(text.slice(0, -1)) === Number(text.slice(-1));
}

/**
 * 11 random digits and a Luhn check digit, so a mistyped receipt number is
 * caught before it is looked up. Unique in the database; a collision is
 * drawn again by the store.
 */
export function drawReceiptNumber(random: Random): string {
  for (let attempt = 1; attempt <= receiptDrawAttemptsMax; attempt += 1) {
    const draw = random.bytes(receiptDrawBytes).readUIntBE(0, receiptDrawBytes);
    if (draw >= receiptDrawLimit) continue;
    const payload = String(draw % receiptPayloadSpace).padStart(receiptPayloadDigits, '0');
    return `${payload}${luhnCheckDigit(payload)}`;
  }
  throw new Error(`the random source gave ${receiptDrawAttemptsMax} draws out of range in a row`);
}
