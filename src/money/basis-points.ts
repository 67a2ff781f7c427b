import { minor, type Minor } from './amount.ts';

const basisPointsPerUnit = 10_000;

/**
 * THE rounding of Lintas: `amount × numerator / denominator` in minor units,
 * rounded half to even (banker's rounding). Every fee, and every share of a
 * fee a partial refund returns, is rounded here and nowhere else.
 *
 * A result exactly halfway between two minor units goes to the even one, so
 * that over many fees the roundings do not all lean the same way. Negative
 * values round symmetrically (-x gives minus the result for x), so a
 * refund's share mirrors its payment's. The product is taken in BigInt
 * because amount × numerator can pass 2^53 long before the result does.
 * Throws when an input is not a safe integer, the denominator is not
 * positive, or the result is not a safe integer.
 */
export function mulDivHalfEven(amount: Minor, numerator: number, denominator: number): Minor {
  if (!Number.isSafeInteger(numerator)) throw new RangeError(`the numerator must be a safe integer: ${numerator}`);
  if (!Number.isSafeInteger(denominator) || denominator <= 0)
    throw new RangeError(`the denominator must be a positive safe integer: ${denominator}`);
  const product = BigInt(amount) * BigInt(numerator);
  const divisor = BigInt(denominator);
  const magnitude = product < 0n ? -product : product;
  let quotient = magnitude / divisor;
  const twiceRemainder = (magnitude % divisor) * 2n;
  const roundsUp = twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n);
  if (roundsUp) quotient += 1n;
  return minor(Number(product < 0n ? -quotient : quotient));
}

/** `amount × bps / 10 000`, rounded half to even by `mulDivHalfEven`. Throws when bps is not a safe integer. */
export function applyBasisPointsHalfEven(amount: Minor, bps: number): Minor {
  if (!Number.isSafeInteger(bps)) throw new RangeError(`basis points must be a safe integer: ${bps}`);
  return mulDivHalfEven(amount, bps, basisPointsPerUnit);
}
