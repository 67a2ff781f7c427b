import { minor } from '../money/index.ts';
import { invariant } from '../platform/index.ts';
import {
  type MerchantAccountInput,
  type MerchantPresentedInput,
  type QrBuildResult,
  type QrField,
  buildMerchantPresentedPayload,
  firstFreeTemplateId,
} from '../qr/index.ts';

/**
 * The hub's merchant-account template in an EMVCo payload: a template id in
 * 26-51 (the first one the payload leaves free) holding the hub's GUID in 00,
 * the merchant id in 01 and, for one sale, the payment token in 02.
 */
export const hubTemplateMerchantId = '01';
export const hubTemplateToken = '02';

export function hubMerchantAccount(
  guid: string,
  merchantId: string,
  token: string | undefined,
  taken: readonly { id: string }[] = [],
): MerchantAccountInput {
  const id = firstFreeTemplateId(taken);
  if (id === undefined) throw new Error('no free merchant-account template id in 26-51');
  const fields = [
    { id: hubTemplateMerchantId, value: merchantId },
    ...(token ? [{ id: hubTemplateToken, value: token }] : []),
  ];
  return { id, guid, fields };
}

export type HubTemplate = { merchantId: string; token: string | undefined };

/** Finds the hub's template among a decoded payload's fields; GUIDs compare case-insensitively. */
export function readHubTemplate(fields: readonly QrField[], guid: string): HubTemplate | undefined {
  for (const field of fields) {
    const id = Number(field.id);
    if (id < 26 || id > 51 || !('children' in field)) continue;
    const owner = field.children.find((child) => child.id === '00');
    if (!owner || !('value' in owner) || owner.value.toLowerCase() !== guid.toLowerCase()) continue;
    const merchant = field.children.find((child) => child.id === hubTemplateMerchantId);
    const token = field.children.find((child) => child.id === hubTemplateToken);
    if (!merchant || !('value' in merchant)) return undefined;
    return { merchantId: merchant.value, token: token && 'value' in token ? token.value : undefined };
  }
  return undefined;
}

/** EMVCo 62.05 holds at most 25 characters of the common character set. */
const referenceLabelPattern = /^[\x20-\x7e]{1,25}$/;

export type HubPayloadMerchant = {
  id: string;
  mcc: string;
  currency: string;
  country: string;
  /** In the merchant's own script: 64/01 and 64/02 when they are not their Latin forms. */
  name: string;
  city: string;
  /** Printable ASCII: 59 and 60. */
  nameLatin: string;
  cityLatin: string;
  /** 64/00; null: no language template (name and city are Latin). */
  language: string | null;
};

/** The language template: the name and city in the merchant's own script, with their language. */
function languageTemplate(merchant: HubPayloadMerchant): MerchantPresentedInput['language'] | undefined {
  if (merchant.language === null) return undefined;
  if (merchant.name === merchant.nameLatin && merchant.city === merchant.cityLatin) return undefined;
  return { preference: merchant.language, merchantName: merchant.name, merchantCity: merchant.city };
}
export type HubPayloadSale = { amount: number; currency: string; reference: string; token: string };

/**
 * The merchant-presented payload the hub hands out for a merchant: static (a
 * placard: no amount, no token) or, with a sale, dynamic (the amount, the
 * reference in 62.05 when it fits, the token in the hub's template). The
 * Latin name and city go in 59 and 60, the originals in 64 with their
 * language. Accounts
 * of other schemes go first, intact; the hub's template takes the first id
 * they leave free.
 */
export function buildHubPayload(
  guid: string,
  merchant: HubPayloadMerchant,
  otherAccounts: readonly MerchantAccountInput[],
  sale?: HubPayloadSale,
): QrBuildResult {
  const language = languageTemplate(merchant);
  return buildMerchantPresentedPayload({
    pointOfInitiation: sale ? 'dynamic' : 'static',
    merchantAccounts: [...otherAccounts, hubMerchantAccount(guid, merchant.id, sale?.token, otherAccounts)],
    merchantCategoryCode: merchant.mcc,
    currency: sale?.currency ?? merchant.currency,
    ...(sale ? { amount: minor(sale.amount) } : {}),
    countryCode: merchant.country,
    merchantName: merchant.nameLatin,
    merchantCity: merchant.cityLatin,
    ...(language ? { language } : {}),
    ...(sale && referenceLabelPattern.test(sale.reference)
      ? { additionalData: { referenceLabel: sale.reference } }
      : {}),
  });
}

/** The hub builds only what the codec accepts in strict mode; anything else is a programmer error. */
export function payloadOrThrow(built: QrBuildResult): string {
  invariant(built.ok, `the codec accepts the payload the hub built: ${JSON.stringify(built)}`);
  return built.payload;
}
