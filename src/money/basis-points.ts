import { minor, type Minor } from './amount.ts';

const basisPointsPerUnit = 10_000n;

/**
 * `amount × bps / 10 000`, rounded half to even (banker's rounding): a result
 * exactly halfway between two minor units goes to the even one, so that over
 * many fees the roundings do not all lean the same way. Negative amounts round
 * symmetrically (-x gives minus the result for x), so a refund's fee mirrors
 * its payment's. The product is taken in BigInt because amount × bps can pass
 * 2^53 long before the result does. Throws when bps is not a safe integer.
 */
export function applyBasisPointsHalfEven(amount: Minor, bps: number): Minor {
  if (!Number.isSafeInteger(bps)) throw new RangeError(`basis points must be a safe integer: ${bps}`);
  const product = BigInt(amount) * BigInt(bps);
  const magnitude = product < 0n ? -product : product;
  let quotient = magnitude / basisPointsPerUnit;
  const twiceRemainder = (magnitude % basisPointsPerUnit) * 2n;
  const roundsUp = twiceRemainder > basisPointsPerUnit || (twiceRemainder === basisPointsPerUnit && quotient % 2n === 1n);
  if (roundsUp) quotient += 1n;
  return minor(Number(product < 0n ? -quotient : quotient));
}
