/** Merchants: shops or apps that sell, each served by exactly one acquirer. */

export type MerchantStatus = 'active' | 'suspended';
export type MerchantEvent = 'suspend' | 'reinstate';

const merchantTransitions: Record<MerchantStatus, Partial<Record<MerchantEvent, MerchantStatus>>> = {
  active: { suspend: 'suspended' },
  suspended: { reinstate: 'active' },
};

export function nextMerchantStatus(from: MerchantStatus, event: MerchantEvent): MerchantStatus | undefined {
  return merchantTransitions[from][event];
}

export type Merchant = {
  id: string;
  acquirerId: string;
  name: string;
  mcc: string;
  city: string;
  country: string;
  currency: string;
  status: MerchantStatus;
  createdAt: string;
  updatedAt: string;
  suspendedAt: string | null;
  keyRotatedAt: string | null;
  /** What QR codes carry in 59 and 60 (printable ASCII): given by the merchant, or transliterated. */
  nameLatin: string;
  cityLatin: string;
  /** The language of name and city in 64 (ISO 639-1); null when they are their Latin forms. */
  language: string | null;
};

/** What the merchant gave for its QR codes' Latin name and city and its language (null: made for it). */
export type MerchantEmvNames = { nameLatin: string | null; cityLatin: string | null; language: string | null };

/**
 * EMVCo limits: the name (59, and 64/01 in the merchant's own script) is at
 * most 25 characters, the city (60, 64/02) at most 15; a name or city in any
 * script counts its code points.
 */
export { merchantCityCharsMax, merchantNameCharsMax } from '../qr/index.ts';
export const merchantKeyPrefix = 'sk_';
