import type { MerchantAccountInput, QrField } from '../qr/index.ts';
import { firstFreeTemplateId } from '../qr/index.ts';

/**
 * The hub's merchant-account template in an EMVCo payload: a template id in
 * 26-51 (the first one the payload leaves free) holding the hub's GUID in 00,
 * the merchant id in 01 and, for one sale, the payment token in 02.
 */
export const hubTemplateMerchantId = '01';
export const hubTemplateToken = '02';

export function hubMerchantAccount(guid: string, merchantId: string, token: string | undefined, taken: readonly { id: string }[] = []): MerchantAccountInput {
  const id = firstFreeTemplateId(taken);
  if (id === undefined) throw new Error('no free merchant-account template id in 26-51');
  const fields = [{ id: hubTemplateMerchantId, value: merchantId }, ...(token ? [{ id: hubTemplateToken, value: token }] : [])];
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
