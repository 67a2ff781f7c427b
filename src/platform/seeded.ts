/**
 * A seeded generator, for what must follow from a seed alone: the crash test's schedule (when the hub is
 * killed, what every story does) and the ledger simulator's runs. Never for ids, tokens or nonces.
 */

export type Prng = {
  /** A fraction in [0, 1). */
  next(): number;
  /** An integer in [low, high]. */
  between(low: number, high: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
};

const warmupRounds = 15;

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator): 128 bits of state, all from the seed and a
 * stream number, so story 12 draws the same numbers however many stories ran before it.
 */
export function seededPrng(seed: number, stream = 0): Prng {
  let a = 0x9e3779b9 ^ Math.imul(stream + 1, 0x85ebca6b);
  let b = 0x243f6a88 ^ Math.imul(stream + 1, 0xc2b2ae35);
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 2 ** 32;
  };
  for (let round = 0; round < warmupRounds; round += 1) next();
  return {
    next,
    between: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}
