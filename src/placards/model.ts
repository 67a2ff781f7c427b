/** Merchant-presented codes at the till: one placard for every wallet, and a QR per sale. */

export type TillQrStatus = 'pending' | 'paid' | 'expired' | 'canceled';
export type TillQrEvent = 'pay' | 'expire' | 'cancel';

const tillQrTransitions: Record<TillQrStatus, Partial<Record<TillQrEvent, TillQrStatus>>> = {
  pending: { pay: 'paid', expire: 'expired', cancel: 'canceled' },
  paid: {},
  expired: {},
  canceled: {},
};

export function nextTillQrStatus(from: TillQrStatus, event: TillQrEvent): TillQrStatus | undefined {
  return tillQrTransitions[from][event];
}

export function tillQrStampOf(event: TillQrEvent): 'paid_at' | 'expired_at' | 'canceled_at' {
  switch (event) {
    case 'pay':
      return 'paid_at';
    case 'expire':
      return 'expired_at';
    case 'cancel':
      return 'canceled_at';
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown till QR event ${String(unknownEvent)}`);
    }
  }
}

export type TillQr = {
  id: string;
  merchantId: string;
  acquirerId: string;
  status: TillQrStatus;
  amount: number;
  currency: string;
  reference: string;
  qrPayload: string;
  expiresAt: string;
  createdAt: string;
  paidAt: string | null;
  expiredAt: string | null;
  canceledAt: string | null;
  transferId: string | null;
  paidWalletId: string | null;
};

/** A template the merchant already has from another scheme, kept intact on its placard. */
export type ForeignTemplate = { id: string; value: string };

export const foreignTemplatesMax = 10;
/** The token a wallet gets for a static placard: long enough to ask its user for the amount. */
export const placardTokenMs = 10 * 60 * 1000;
export const tillQrSecondsDefault = 300;
export const tillQrSecondsMin = 30;
export const tillQrSecondsMax = 3600;

/** EMVCo merchant-account ids: 02-25 are card networks' primitive slots, 26-51 templates with a GUID. */
export function isMerchantAccountId(id: string): boolean {
  const number = Number(id);
  return /^\d{2}$/.test(id) && number >= 2 && number <= 51;
}
