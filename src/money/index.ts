// Money: the ISO 4217 table, integer amounts in minor units, and the
// arithmetic fees need. The only door into src/money.
export { currencies, currencyByAlpha, currencyByNumeric, isCurrencyAlpha, type Currency } from './currencies.ts';
export {
  addMinor,
  formatDecimalAmount,
  minor,
  negateMinor,
  parseDecimalAmount,
  subMinor,
  type DecimalParseError,
  type DecimalParseResult,
  type Minor,
  type Money,
} from './amount.ts';
export {
  amountMaxAnyCurrency,
  amountMaxOf,
  amountOutOfBounds,
  emvAmountCharsMax,
  exactLineTotal,
  limitAmountMax,
} from './bounds.ts';
export { applyBasisPointsHalfEven, mulDivHalfEven } from './basis-points.ts';
