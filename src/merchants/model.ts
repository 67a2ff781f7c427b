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
};

/** EMVCo limits: merchant name tag 59 is at most 25 characters, city tag 60 at most 15. */
export const merchantNameCharsMax = 25;
export const merchantCityCharsMax = 15;
export const merchantKeyPrefix = 'sk_';
