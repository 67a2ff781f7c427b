import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { invariant } from '../platform/index.ts';

/**
 * Participants register, and the hub publishes at `GET /v1/hub/keys`,
 * Ed25519 public keys as RFC 8037 JWKs: `{kty: "OKP", crv: "Ed25519", x}`.
 */
export type Ed25519PublicJwk = {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
};

export type JwkParseResult = { ok: true; key: KeyObject } | { ok: false; detail: string };

const ed25519PublicKeyBytes = 32;
const base64UrlPattern = /^[A-Za-z0-9_-]+$/;
/** `EdDSA` (RFC 8037) or the fully specified `Ed25519` (RFC 9864). */
const acceptedAlgs = new Set(['EdDSA', 'Ed25519']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(detail: string): JwkParseResult {
  return { ok: false, detail };
}

function checkOptionalMembers(jwk: Record<string, unknown>): string | undefined {
  if (jwk.alg !== undefined && !acceptedAlgs.has(jwk.alg as string)) return 'alg must be "EdDSA" when present';
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'use must be "sig" when present';
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops;
    if (!Array.isArray(ops) || ops.some((op) => op !== 'verify')) return 'key_ops may only list "verify"';
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return 'kid must be a string when present';
  return undefined;
}

/**
 * Accepts only an Ed25519 public key. A JWK carrying `d` is refused outright:
 * a participant that sends its private key has leaked it, and the hub must
 * not store it.
 */
export function parseEd25519PublicJwk(jwk: unknown): JwkParseResult {
  if (!isPlainObject(jwk)) return refuse('the key must be a JSON object (a JWK)');
  if (jwk.d !== undefined)
    return refuse('the JWK contains a private key ("d"): send the public key only, and replace this key');
  if (jwk.kty !== 'OKP') return refuse('kty must be "OKP"');
  if (jwk.crv !== 'Ed25519') return refuse('crv must be "Ed25519"');
  if (typeof jwk.x !== 'string' || !base64UrlPattern.test(jwk.x)) return refuse('x must be unpadded base64url');
  const raw = Buffer.from(jwk.x, 'base64url');
  if (raw.length !== ed25519PublicKeyBytes || raw.toString('base64url') !== jwk.x) {
    return refuse(`x must encode exactly ${ed25519PublicKeyBytes} bytes`);
  }
  const optionalProblem = checkOptionalMembers(jwk);
  if (optionalProblem) return refuse(optionalProblem);
  try {
    return { ok: true, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }) };
  } catch {
    return refuse('x is not a valid Ed25519 public key');
  }
}

/** The public JWK the hub publishes for one of its keys (or shows for a participant's). */
export function publicKeyToJwk(key: KeyObject, kid: string): Ed25519PublicJwk {
  invariant(key.type === 'public', `publicKeyToJwk is given a public key (not a ${key.type} one)`);
  invariant(
    key.asymmetricKeyType === 'ed25519',
    `publicKeyToJwk is given an Ed25519 key (not ${key.asymmetricKeyType ?? 'none'})`,
  );
  const exported = key.export({ format: 'jwk' });
  invariant(typeof exported.x === 'string', 'an Ed25519 public key exports its x');
  return { kty: 'OKP', crv: 'Ed25519', x: exported.x, kid, alg: 'EdDSA', use: 'sig' };
}

export function generateEd25519KeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}
