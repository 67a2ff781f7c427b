import { Type, type TSchema } from 'typebox';
import { amountMaxAnyCurrency, limitAmountMax } from '../money/index.ts';
import { type AmountBound, amountBoundKeyword } from './validation.ts';

/** Shared pieces of route schemas, so every route speaks the same shapes. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String() }))),
  },
  { additionalProperties: true, $id: 'Problem' },
);

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
export const CurrencyCode = Type.String({
  pattern: '^[A-Z]{3}$',
  format: 'iso4217',
  description: 'ISO 4217 alpha code',
});
export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  format: 'iso3166-alpha2',
  description: 'ISO 3166 alpha-2 code',
});
/** A name or a city: Unicode text of at most `charsMax` characters (code points), one line, nothing hidden in it. */
export function TextLine(charsMax: number, description?: string) {
  return Type.String({
    minLength: 1,
    maxLength: charsMax,
    format: 'text-line',
    ...(description ? { description } : {}),
  });
}
/** Minor units: a 64-bit integer in the database, a safe integer in JSON. */
export const MinorUnits = Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
/**
 * A payment's amount (a checkout, a till QR, a charge, a transfer, a refund):
 * at most what EMV's tag 54 carries in any currency; an object that also
 * names the currency adds `amountBoundTo()` to hold it to that currency's.
 */
export const PositiveMinorUnits = Type.Integer({
  minimum: 1,
  maximum: amountMaxAnyCurrency,
  description: 'minor units; at most 999999999999 in a currency with decimals, 9999999999999 without',
});

/** A fee's fixed part or floor: no more than a payment may be. */
export const FeeMinorUnits = Type.Integer({ minimum: 0, maximum: amountMaxAnyCurrency });
/** A net debit cap or a prefunding (see `limitAmountMax`). */
export const LimitMinorUnits = Type.Integer({ minimum: 0, maximum: limitAmountMax });

/** Holds an object's `amount` to the bound of its `currency` (see `amountMaxOf`). */
export function amountBoundTo(bound: AmountBound = { amount: 'amount', currency: 'currency' }) {
  return { [amountBoundKeyword]: bound };
}
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const pageItemsMax = 100;
export const pageItemsDefault = 20;

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: pageItemsMax, default: pageItemsDefault })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

/** Every route answers these problems besides its own success shape. */
export const problemResponses = {
  '4xx': { $ref: 'Problem#' },
  '5xx': { $ref: 'Problem#' },
} as const;
