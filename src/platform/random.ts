import { randomBytes } from 'node:crypto';

/** Randomness comes in through this port so a test can make ids repeatable. */
export interface Random {
  bytes(length: number): Buffer;
}

export const cryptoRandom: Random = { bytes: (length) => randomBytes(length) };

/** A fraction in [0, 1) drawn from the port, for jitter. */
export function randomFraction(random: Random): number {
  return random.bytes(4).readUInt32BE(0) / 0x1_0000_0000;
}

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';
const timeChars = 10;
const randomChars = 16;

function encodeBase32(value: bigint, length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text = crockford[Number(value & 31n)] + text;
    value >>= 5n;
  }
  return text;
}

const entropyMax = (1n << 80n) - 1n;
let lastTimeMs = 0n;
let lastEntropy = 0n;

/**
 * Ids are `<prefix>_<10 time chars><16 random chars>`: opaque to callers but
 * sortable by creation time, so `?after=<id>` pages in creation order. Within
 * one millisecond (or when a test clock stands still) a process counts up
 * from the last entropy instead of drawing anew, as monotonic ULIDs do, so
 * ids made one after another always sort in that order.
 */
export function newId(prefix: string, at: Date, random: Random): string {
  let timeMs = BigInt(at.getTime());
  let entropy = BigInt(`0x${random.bytes(10).toString('hex')}`);
  if (timeMs <= lastTimeMs) {
    timeMs = lastTimeMs;
    entropy = lastEntropy + 1n + (entropy & 0xffffn);
    if (entropy > entropyMax) throw new Error('id entropy exhausted within one millisecond');
  }
  lastTimeMs = timeMs;
  lastEntropy = entropy;
  return `${prefix}_${encodeBase32(timeMs, timeChars)}${encodeBase32(entropy, randomChars)}`;
}

/** A url-safe random token with `byteLength` bytes of entropy. */
export function newToken(prefix: string, random: Random, byteLength = 24): string {
  return `${prefix}${random.bytes(byteLength).toString('base64url')}`;
}
