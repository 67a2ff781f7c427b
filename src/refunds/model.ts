/** Refunds: money going back the way it came. Pure types and rules. */

export type RefundStatus = 'pending' | 'succeeded';
export type RefundEvent = 'acknowledge';

/** The ledger moves at creation; the refund is pending until the issuer acknowledges `refund.created`. */
const refundTransitions: Record<RefundStatus, Partial<Record<RefundEvent, RefundStatus>>> = {
  pending: { acknowledge: 'succeeded' },
  succeeded: {},
};

export function nextRefundStatus(from: RefundStatus, event: RefundEvent): RefundStatus | undefined {
  return refundTransitions[from][event];
}

export type Refund = {
  id: string;
  status: RefundStatus;
  amount: number;
  currency: string;
  paymentTransferId: string;
  transferId: string;
  receiptNumber: string;
  reason: string;
  merchantId: string;
  createdAt: string;
  succeededAt: string | null;
};

/**
 * What `refund.posted` tells the acquirer when the refund's transfer debits
 * it: the refund, and what that transfer moved on the acquirer's position in
 * the refund's currency (negative: it owes more). Only the acquirer hears it:
 * the effect reveals the interchange returned, which the merchant never sees.
 */
export type RefundPosted = Refund & { acquirerParticipantId: string; acquirerPositionEffect: number };

export const reasonCharsMax = 500;
