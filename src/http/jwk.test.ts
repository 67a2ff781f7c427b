import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, parseEd25519PublicJwk, publicKeyToJwk } from './jwk.ts';

// RFC 9421 Appendix B.1.4, test-key-ed25519.
const rfcPrivateKey = createPrivateKey(
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE ' +
    'KEY-----\n',
);
const rfcX = 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs';

describe('publicKeyToJwk', () => {
  it('publishes the RFC 9421 test key with kid, alg and use', () => {
    expect(publicKeyToJwk(createPublicKey(rfcPrivateKey), 'test-key-ed25519')).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: rfcX,
      kid: 'test-key-ed25519',
      alg: 'EdDSA',
      use: 'sig',
    });
  });

  it('refuses a private key, so a private key is never published by mistake', () => {
    expect(() => publicKeyToJwk(rfcPrivateKey, 'k')).toThrow(/public key/);
  });

  it('refuses a key of another type', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => publicKeyToJwk(publicKey, 'k')).toThrow(/Ed25519/);
  });
});

describe('parseEd25519PublicJwk', () => {
  it('round-trips a generated key: what the parsed key verifies, the private key signed', () => {
    const { publicKey, privateKey } = generateEd25519KeyPair();
    const parsed = parseEd25519PublicJwk(JSON.parse(JSON.stringify(publicKeyToJwk(publicKey, 'k1'))));
    if (!parsed.ok) throw new Error(parsed.detail);
    const message = Buffer.from('lintas');
    expect(verify(null, message, parsed.key, sign(null, message, privateKey))).toBe(true);
  });

  it('accepts the bare RFC 8037 form and the RFC 9864 alg', () => {
    expect(parseEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x: rfcX }).ok).toBe(true);
    expect(parseEd25519PublicJwk({ kty: 'OKP', crv: 'Ed25519', x: rfcX, alg: 'Ed25519', key_ops: ['verify'] }).ok).toBe(
      true,
    );
  });

  const good = { kty: 'OKP', crv: 'Ed25519', x: rfcX };
  const cases: { name: string; jwk: unknown; detail: RegExp }[] = [
    { name: 'not an object', jwk: 'JrQL...', detail: /JSON object/ },
    { name: 'null', jwk: null, detail: /JSON object/ },
    { name: 'an array', jwk: [good], detail: /JSON object/ },
    {
      name: 'carries the private key d',
      jwk: { ...good, d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU' },
      detail: /private key/,
    },
    { name: 'kty RSA', jwk: { ...good, kty: 'RSA' }, detail: /kty/ },
    { name: 'crv X25519', jwk: { ...good, crv: 'X25519' }, detail: /crv/ },
    { name: 'x missing', jwk: { kty: 'OKP', crv: 'Ed25519' }, detail: /x must/ },
    { name: 'x padded', jwk: { ...good, x: `${rfcX}=` }, detail: /base64url/ },
    { name: 'x in standard base64', jwk: { ...good, x: rfcX.replace('_', '/') }, detail: /base64url/ },
    { name: 'x 31 bytes', jwk: { ...good, x: Buffer.alloc(31, 1).toString('base64url') }, detail: /32 bytes/ },
    { name: 'x 33 bytes', jwk: { ...good, x: Buffer.alloc(33, 1).toString('base64url') }, detail: /32 bytes/ },
    { name: 'x non-canonical trailing bits', jwk: { ...good, x: `${rfcX.slice(0, -1)}t` }, detail: /32 bytes/ },
    { name: 'alg RS256', jwk: { ...good, alg: 'RS256' }, detail: /alg/ },
    { name: 'use enc', jwk: { ...good, use: 'enc' }, detail: /use/ },
    { name: 'key_ops sign', jwk: { ...good, key_ops: ['sign'] }, detail: /key_ops/ },
    { name: 'kid a number', jwk: { ...good, kid: 7 }, detail: /kid/ },
  ];

  it.each(cases)('refuses $name', ({ jwk, detail }) => {
    const parsed = parseEd25519PublicJwk(jwk);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.detail).toMatch(detail);
  });
});
