import type { HubContext } from '../context.ts';
import type { Merchant } from '../merchants/index.ts';
import { type HubPayloadSale, buildHubPayload } from '../payments/index.ts';
import { type MerchantAccountInput, type QrBuildResult, crc16ccitt, decode } from '../qr/index.ts';
import type { ForeignTemplate } from './model.ts';

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
  return {
    id: template.id,
    guid: guid.value,
    fields: fields.map((child) => ({ id: child.id, value: 'value' in child ? child.value : '' })),
  };
}

/** The merchant's static placard, carrying its other schemes' templates intact. */
export function buildPlacard(
  ctx: HubContext,
  merchant: Merchant,
  templates: readonly ForeignTemplate[],
): QrBuildResult {
  return buildHubPayload(ctx.config.qrGuid, merchant, templates.map(foreignAccount));
}

/** One sale at the till. */
export function buildTillQr(
  ctx: HubContext,
  merchant: Merchant,
  templates: readonly ForeignTemplate[],
  sale: HubPayloadSale,
): QrBuildResult {
  return buildHubPayload(ctx.config.qrGuid, merchant, templates.map(foreignAccount), sale);
}
