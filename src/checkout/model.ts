/** Checkouts: one order a buyer is to pay online. Pure rules, no I/O. */
import { amountMaxOf, exactLineTotal } from '../money/index.ts';

export type CheckoutStatus = 'open' | 'paid' | 'expired' | 'canceled' | 'partially_refunded' | 'refunded';
export type CheckoutEvent = 'pay' | 'expire' | 'cancel' | 'refund_part' | 'refund_rest';

/** The one table of allowed transitions, `{from, event} → to`. */
const checkoutTransitions: Record<CheckoutStatus, Partial<Record<CheckoutEvent, CheckoutStatus>>> = {
  open: { pay: 'paid', expire: 'expired', cancel: 'canceled' },
  paid: { refund_part: 'partially_refunded', refund_rest: 'refunded' },
  partially_refunded: { refund_part: 'partially_refunded', refund_rest: 'refunded' },
  expired: {},
  canceled: {},
  refunded: {},
};

export function nextCheckoutStatus(from: CheckoutStatus, event: CheckoutEvent): CheckoutStatus | undefined {
  return checkoutTransitions[from][event];
}

/** The time stamp column each transition sets. */
export function checkoutStampOf(event: CheckoutEvent): 'paid_at' | 'expired_at' | 'canceled_at' | undefined {
  switch (event) {
    case 'pay':
      return 'paid_at';
    case 'expire':
      return 'expired_at';
    case 'cancel':
      return 'canceled_at';
    case 'refund_part':
    case 'refund_rest':
      return undefined;
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown checkout event ${String(unknownEvent)}`);
    }
  }
}

/** Statuses in which the checkout still holds its reference. */
export function holdsReference(status: CheckoutStatus): boolean {
  return status !== 'expired' && status !== 'canceled';
}

export type LineKind = 'product' | 'shipping' | 'discount' | 'tax';

export type CheckoutLine = {
  kind: LineKind;
  sku?: string | undefined;
  name: string;
  category?: string | undefined;
  quantity: number;
  unitAmount: number;
};

export type Flow = 'app_switch' | 'qr' | 'friend_pay';
export type Placement = 'default' | 'primary' | 'other';
export type CheckoutMethod = { walletId: string; name: string; placement: Placement; flows: Flow[] };

export type Checkout = {
  id: string;
  merchantId: string;
  acquirerId: string;
  status: CheckoutStatus;
  amount: number;
  currency: string;
  reference: string;
  buyerId: string;
  lines: CheckoutLine[];
  returnUrl: string | null;
  methods: CheckoutMethod[];
  expiresAt: string;
  createdAt: string;
  paidAt: string | null;
  expiredAt: string | null;
  canceledAt: string | null;
  transferId: string | null;
  paidWalletId: string | null;
};

export const expiresInSecondsMin = 60;
export const expiresInSecondsMax = 86_400;
export const expiresInSecondsDefault = 900;
export const linesMax = 100;

/**
 * Lines, when given, add up to the amount. Discounts are negative and only
 * discounts are; no line total is more than a payment in the currency may
 * be. Totals and their sum are exact (BigInt): a double near 2^53 would round
 * lines into matching an amount they do not add up to.
 */
export function checkLines(
  lines: readonly CheckoutLine[],
  amount: number,
  currency: string,
): { pointer: string; detail: string }[] {
  const errors: { pointer: string; detail: string }[] = [];
  const bound = BigInt(amountMaxOf(currency));
  let total = 0n;
  lines.forEach((line, index) => {
    if (line.kind === 'discount' && line.unitAmount > 0)
      errors.push({ pointer: `/lines/${index}/unitAmount`, detail: 'a discount is negative' });
    if (line.kind !== 'discount' && line.unitAmount < 0)
      errors.push({ pointer: `/lines/${index}/unitAmount`, detail: 'only a discount is negative' });
    const lineTotal = exactLineTotal(line.quantity, line.unitAmount);
    if (lineTotal > bound || lineTotal < -bound)
      errors.push({
        pointer: `/lines/${index}`,
        detail: `quantity times unitAmount is ${lineTotal}, more than the most a ${currency} payment may be (${bound})`,
      });
    total += lineTotal;
  });
  if (errors.length === 0 && lines.length > 0 && total !== BigInt(amount)) {
    errors.push({ pointer: '/lines', detail: `the lines add up to ${total}, not to the amount ${amount}` });
  }
  return errors;
}

/** Is the checkout past its expiry at `now` while still open? */
export function isDue(checkout: Pick<Checkout, 'status' | 'expiresAt'>, now: Date): boolean {
  return checkout.status === 'open' && checkout.expiresAt <= now.toISOString();
}
