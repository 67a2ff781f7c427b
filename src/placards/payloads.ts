import type { HubContext } from '../context.ts';
import type { Merchant } from '../merchants/index.ts';
import { minor } from '../money/index.ts';
import { hubMerchantAccount } from '../payments/index.ts';
import { type MerchantAccountInput, type QrBuildResult, buildMerchantPresentedPayload, crc16ccitt, decode } from '../qr/index.ts';
import type { ForeignTemplate } from './model.ts';

/** EMVCo 62.05 holds at most 25 characters of the common character set. */
const referenceLabelPattern = /^[\x20-\x7e]{1,25}$/;

/**
 * A foreign template as the merchant registered it (`{id, value}`, the raw
 * TLV of another scheme) in the shape the builder takes: 02-25 stay plain
 * values, 26-51 are read by the codec into their GUID and sub-fields. A
 * value that does not read as a template is handed on as a plain value, and
 * the builder then refuses it.
 */
export function foreignAccount(template: ForeignTemplate): MerchantAccountInput {
  if (Number(template.id) < 26) return template;
  const field = `${template.id}${String(template.value.length).padStart(2, '0')}${template.value}`;
  const unsigned = `000201${field}6304`;
  const decoded = decode(`${unsigned}${crc16ccitt(unsigned)}`, { mode: 'lenient' });
  const parsed = decoded.kind === 'mpm' ? decoded.fields.find((candidate) => candidate.id === template.id) : undefined;
  if (!parsed || !('children' in parsed)) return template;
  const guid = parsed.children.find((child) => child.id === '00');
  if (!guid || !('value' in guid)) return template;
  const fields = parsed.children.filter((child) => child.id !== '00');
  if (fields.some((child) => !('value' in child))) return template;
  return { id: template.id, guid: guid.value, fields: fields.map((child) => ({ id: child.id, value: 'value' in child ? child.value : '' })) };
}

/**
 * The merchant's static placard: point of initiation 11, no amount, its
 * foreign templates kept as they are, and the hub's template (merchant id,
 * no token) in the first id they leave free.
 */
export function buildPlacard(ctx: HubContext, merchant: Merchant, templates: readonly ForeignTemplate[]): QrBuildResult {
  return buildMerchantPresentedPayload({
    pointOfInitiation: 'static',
    merchantAccounts: [...templates.map(foreignAccount), hubMerchantAccount(ctx.config.qrGuid, merchant.id, undefined, templates)],
    merchantCategoryCode: merchant.mcc,
    currency: merchant.currency,
    countryCode: merchant.country,
    merchantName: merchant.name,
    merchantCity: merchant.city,
  });
}

/** One sale at the till: point of initiation 12, the amount, the reference in 62.05, the token in the hub's template. */
export function buildTillQr(
  ctx: HubContext,
  merchant: Merchant,
  templates: readonly ForeignTemplate[],
  sale: { amount: number; currency: string; reference: string; token: string },
): QrBuildResult {
  return buildMerchantPresentedPayload({
    pointOfInitiation: 'dynamic',
    merchantAccounts: [...templates.map(foreignAccount), hubMerchantAccount(ctx.config.qrGuid, merchant.id, sale.token, templates)],
    merchantCategoryCode: merchant.mcc,
    currency: sale.currency,
    amount: minor(sale.amount),
    countryCode: merchant.country,
    merchantName: merchant.name,
    merchantCity: merchant.city,
    ...(referenceLabelPattern.test(sale.reference) ? { additionalData: { referenceLabel: sale.reference } } : {}),
  });
}

export function payloadOrThrow(built: QrBuildResult): string {
  if (!built.ok) throw new Error(`the hub built a payload the codec refuses: ${JSON.stringify(built)}`);
  return built.payload;
}
