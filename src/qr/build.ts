// A merchant-presented payload from the facts the hub holds about a merchant
// and a sale, checked against every EMVCo rule before it is handed out: a
// placard the hub prints must pass the strict verdict, not just read back.
import { currencyByAlpha, formatDecimalAmount, type Minor } from '../money/index.ts';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import type { QrEncodeError, QrFieldInput, QrFinding } from './model.ts';

/** A primitive account (02-25, a card network's slot) or a template (26-51) under its owner's GUID. */
export type MerchantAccountInput =
  | { readonly id: string; readonly value: string }
  | {
      readonly id: string;
      readonly guid: string;
      readonly fields?: readonly { readonly id: string; readonly value: string }[];
    };

/** Data object 62, by the names EMVCo gives its sub-fields. */
export type AdditionalDataInput = {
  readonly billNumber?: string;
  readonly mobileNumber?: string;
  readonly storeLabel?: string;
  readonly loyaltyNumber?: string;
  readonly referenceLabel?: string;
  readonly customerLabel?: string;
  readonly terminalLabel?: string;
  readonly purposeOfTransaction?: string;
  /** Any of "A" (address), "M" (mobile), "E" (email) the wallet should ask its user for. */
  readonly consumerDataRequest?: string;
};

export type MerchantPresentedInput = {
  /** Static: a placard, the buyer types the amount. Dynamic: one sale. */
  readonly pointOfInitiation: 'static' | 'dynamic';
  readonly merchantAccounts: readonly MerchantAccountInput[];
  readonly merchantCategoryCode: string;
  /** ISO 4217 alpha code; written as its numeric code in 53. */
  readonly currency: string;
  /** In minor units of `currency`; absent on a placard where the buyer types the amount. */
  readonly amount?: Minor;
  readonly countryCode: string;
  readonly merchantName: string;
  readonly merchantCity: string;
  readonly postalCode?: string;
  readonly additionalData?: AdditionalDataInput;
  readonly language?: { readonly preference: string; readonly merchantName: string; readonly merchantCity?: string };
  /** Unreserved templates (80-99), each with its GUID in 00. */
  readonly unreserved?: readonly QrFieldInput[];
};

export type QrBuildResult =
  | { ok: true; payload: string }
  | { ok: false; code: QrEncodeError | 'currency_unknown'; path: string }
  | { ok: false; code: 'payload_not_conformant'; findings: readonly QrFinding[] };

const additionalDataIds: Readonly<Record<keyof AdditionalDataInput, string>> = {
  billNumber: '01',
  mobileNumber: '02',
  storeLabel: '03',
  loyaltyNumber: '04',
  referenceLabel: '05',
  customerLabel: '06',
  terminalLabel: '07',
  purposeOfTransaction: '08',
  consumerDataRequest: '09',
};

export function buildMerchantPresentedPayload(input: MerchantPresentedInput): QrBuildResult {
  const currency = currencyByAlpha(input.currency);
  if (currency === undefined) return { ok: false, code: 'currency_unknown', path: '53' };
  const fields: QrFieldInput[] = [
    { id: '00', value: '01' },
    { id: '01', value: input.pointOfInitiation === 'static' ? '11' : '12' },
    ...input.merchantAccounts.map(merchantAccountField),
    { id: '52', value: input.merchantCategoryCode },
    { id: '53', value: currency.numeric },
    { id: '58', value: input.countryCode },
    { id: '59', value: input.merchantName },
    { id: '60', value: input.merchantCity },
    ...(input.unreserved ?? []),
  ];
  if (input.amount !== undefined) fields.push({ id: '54', value: formatDecimalAmount(input.amount, currency.alpha) });
  if (input.postalCode !== undefined) fields.push({ id: '61', value: input.postalCode });
  if (input.additionalData !== undefined)
    fields.push({ id: '62', children: additionalDataFields(input.additionalData) });
  if (input.language !== undefined) fields.push({ id: '64', children: languageFields(input.language) });
  const encoded = encode(fields);
  if (!encoded.ok) return encoded;
  const verdict = decode(encoded.payload, { mode: 'strict' });
  if (verdict.kind !== 'mpm') throw new Error(`encode wrote a payload decode refuses: ${JSON.stringify(verdict)}`);
  if (!verdict.valid) return { ok: false, code: 'payload_not_conformant', findings: verdict.findings };
  return encoded;
}

function merchantAccountField(account: MerchantAccountInput): QrFieldInput {
  if ('value' in account) return { id: account.id, value: account.value };
  return { id: account.id, children: [{ id: '00', value: account.guid }, ...(account.fields ?? [])] };
}

function additionalDataFields(data: AdditionalDataInput): QrFieldInput[] {
  const fields: QrFieldInput[] = [];
  for (const [key, id] of Object.entries(additionalDataIds) as [keyof AdditionalDataInput, string][]) {
    const value = data[key];
    if (value !== undefined) fields.push({ id, value });
  }
  return fields;
}

function languageFields(language: NonNullable<MerchantPresentedInput['language']>): QrFieldInput[] {
  const fields: QrFieldInput[] = [
    { id: '00', value: language.preference },
    { id: '01', value: language.merchantName },
  ];
  if (language.merchantCity !== undefined) fields.push({ id: '02', value: language.merchantCity });
  return fields;
}
