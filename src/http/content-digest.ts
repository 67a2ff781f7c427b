import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary } from 'structured-headers';

/**
 * RFC 9530 `Content-Digest`: a structured dictionary whose keys name hash
 * algorithms and whose values are byte sequences, e.g.
 * `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`.
 *
 * The hub writes sha-256 only. It reads sha-256 and sha-512 (both "Active" in
 * the RFC 9530 registry); other algorithms are ignored, as the RFC allows,
 * but a header that names none we know is a mismatch: we cannot tell that
 * the body is the one that was signed.
 */
const digestAlgorithms = { 'sha-256': 'sha256', 'sha-512': 'sha512' } as const;
type DigestAlgorithm = keyof typeof digestAlgorithms;

/** Longer than any honest header listing a few algorithms; parsing stops here. */
export const contentDigestHeaderCharsMax = 1024;

export type ContentDigestVerdict = { ok: true } | { ok: false; detail: string };

function digestOf(algorithm: DigestAlgorithm, body: Buffer | string): Buffer {
  return createHash(digestAlgorithms[algorithm]).update(body).digest();
}

function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(digestAlgorithms, name);
}

/** The header value the hub sends with a body: `sha-256=:<base64>:`. */
export function computeContentDigest(body: Buffer | string): string {
  return `sha-256=:${digestOf('sha-256', body).toString('base64')}:`;
}

/**
 * Checks a received `Content-Digest` value against the body. Every algorithm
 * we know must match; at least one must be present.
 */
export function verifyContentDigest(header: string, body: Buffer | string): ContentDigestVerdict {
  if (header.length > contentDigestHeaderCharsMax) {
    return { ok: false, detail: `Content-Digest is longer than ${contentDigestHeaderCharsMax} characters` };
  }
  let members: ReturnType<typeof parseDictionary>;
  try {
    members = parseDictionary(header);
  } catch {
    return { ok: false, detail: 'Content-Digest is not a structured dictionary (RFC 9530)' };
  }
  let checked = 0;
  for (const [name, member] of members) {
    if (!isDigestAlgorithm(name)) continue;
    const value = member[0];
    if (!(value instanceof ArrayBuffer)) {
      return { ok: false, detail: `Content-Digest ${name} is not a byte sequence (:base64:)` };
    }
    const expected = digestOf(name, body);
    const given = Buffer.from(value);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, detail: `Content-Digest ${name} does not match the body` };
    }
    checked += 1;
  }
  if (checked === 0) {
    return {
      ok: false,
      detail: `Content-Digest names no supported algorithm (${Object.keys(digestAlgorithms).join(', ')})`,
    };
  }
  return { ok: true };
}
