import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearerClient, createParticipant } from '../testing/index.ts';
import { type SecurityWorld, expectProblem, sendSigned, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API2:2023, Broken Authentication. Every way to pass as a
 * participant without its key, or as a merchant without its current key, is
 * refused with `401` and the code that says why; each request is signed by
 * the reference RFC 9421 signer, which shares no code with the hub.
 */
let world: SecurityWorld;
let path: string;

beforeAll(async () => {
  world = await startSecurityWorld();
  path = `/v1/participants/${world.walletX.id}`;
});
afterAll(async () => {
  await world?.hub.stop();
});

const nowSeconds = () => Math.floor(world.hub.clock.now().getTime() / 1000);
const asX = () => ({ keyId: world.walletX.keyId, privateKey: world.walletX.privateKey });

describe('signed requests', () => {
  test('a genuine signature passes (the baseline of every row below)', async () => {
    expect((await sendSigned(world.hub, 'GET', path, undefined, asX())).status).toBe(200);
  });

  test.each([
    ['stripped: no signature at all', { omitSignature: true }, 'signature_missing'],
    [
      'forged: one byte of the signature changed',
      {
        tamper: (request: { headers: Record<string, string> }) => {
          const value = request.headers.signature as string;
          request.headers.signature = value.replace(/:(.)/, (_match, first) => `:${first === 'A' ? 'B' : 'A'}`);
        },
      },
      'signature_invalid',
    ],
    ['expired: created 301 s ago', { created: -301 }, 'signature_expired'],
    ['from the future: created 31 s ahead', { created: 31 }, 'signature_expired'],
    [
      'downgraded: the path left out of the covered components',
      { components: ['@method', '@authority', '@query'] },
      'signature_invalid',
    ],
    ['downgraded: another algorithm named', { extraParams: { alg: 'hmac-sha256' } }, 'signature_invalid'],
    [
      'retargeted: signed for one path, sent to another',
      {
        tamper: (request: { url: string }) => {
          request.url = request.url.replace(/\/v1\/participants\/.*$/, '/v1/positions');
        },
      },
      'signature_invalid',
    ],
  ] as const)('%s', async (_label, options, code) => {
    const created =
      'created' in options && typeof options.created === 'number' ? nowSeconds() + options.created : undefined;
    const response = await sendSigned(world.hub, 'GET', path, undefined, {
      ...asX(),
      ...options,
      ...(created !== undefined ? { created } : {}),
    } as never);
    expectProblem(response, 401, code);
  });

  test('replayed: the same signature and nonce sent twice', async () => {
    const nonce = `replay-${nowSeconds()}`;
    expect((await sendSigned(world.hub, 'GET', path, undefined, { ...asX(), nonce })).status).toBe(200);
    expectProblem(await sendSigned(world.hub, 'GET', path, undefined, { ...asX(), nonce }), 401, 'nonce_reused');
  });

  test('a body changed after signing fails its digest', async () => {
    const response = await sendSigned(
      world.hub,
      'POST',
      `/v1/participants/${world.walletX.id}/keys`,
      { kid: 'x-second', jwk: {} },
      {
        ...asX(),
        tamper: (request) => {
          request.body = JSON.stringify({ kid: 'x-evil', jwk: {} });
        },
      },
    );
    expectProblem(response, 401, 'digest_mismatch');
  });

  test("another participant's keyid with one's own key does not verify", async () => {
    const response = await sendSigned(world.hub, 'GET', `/v1/participants/${world.walletY.id}`, undefined, {
      keyId: world.walletY.keyId,
      privateKey: world.walletX.privateKey,
    });
    expectProblem(response, 401, 'signature_invalid');
  });

  test('an unknown keyid, and a revoked key', async () => {
    expectProblem(
      await sendSigned(world.hub, 'GET', path, undefined, { ...asX(), keyId: 'kid-nobody' }),
      401,
      'key_unknown',
    );
    const revoked = await createParticipant(world.hub, { name: 'Revoked Wallet' });
    const removed = await world.operator('DELETE', `/v1/participants/${revoked.id}/keys/${revoked.keyId}`);
    expect(removed.status, removed.text).toBe(200);
    expectProblem(
      await sendSigned(world.hub, 'GET', `/v1/participants/${revoked.id}`, undefined, {
        keyId: revoked.keyId,
        privateKey: revoked.privateKey,
      }),
      401,
      'key_revoked',
    );
  });

  test('a suspended participant may read, but not pay', async () => {
    const suspended = await createParticipant(world.hub, { name: 'Suspended Wallet', roles: ['issuer'] });
    await world.operator('POST', `/v1/participants/${suspended.id}/suspend`, { reason: 'audit' });
    expect((await suspended.call('GET', `/v1/participants/${suspended.id}`)).status).toBe(200);
    const paid = await suspended.call('POST', '/v1/transfers', {
      paymentToken: 'pt_none',
      amount: 100,
      currency: 'CNY',
      payer: { ref: 'suspended-1' },
    });
    expect([403, 422]).toContain(paid.status);
  });
});

describe('bearer tokens', () => {
  test("a merchant's key stops working the moment it is rotated", async () => {
    const old = world.merchantA.secretKey;
    const rotated = await world.acquirerA.call('POST', `/v1/merchants/${world.merchantA.id}/rotate-key`);
    expect(rotated.status, rotated.text).toBe(200);
    expectProblem(await bearerClient(world.hub, old)('GET', '/v1/merchant'), 401, 'unauthenticated');
    expect((await bearerClient(world.hub, rotated.body.secretKey)('GET', '/v1/merchant')).status).toBe(200);
    world.merchantA.call = bearerClient(world.hub, rotated.body.secretKey);
  });

  test.each([
    ['no Authorization header', undefined],
    ['a wrong operator token', 'op_test_0000000000000000000000000000'],
    ['a guessed merchant key', 'sk_000000000000000000000000000000'],
    ['a guessed client secret', 'cs_000000000000000000000000000000'],
    ['a token with a space in it', 'sk_abc def'],
  ])('%s is unauthenticated', async (_label, token) => {
    const response = await bearerClient(world.hub, token)('GET', '/v1/merchant');
    expectProblem(response, 401, 'unauthenticated');
  });

  test('an Authorization scheme other than Bearer is refused', async () => {
    const response = await fetch(`${world.hub.url}/v1/merchant`, {
      headers: { authorization: `Basic ${Buffer.from(`${world.hub.operatorToken}:`).toString('base64')}` },
    });
    expect(response.status).toBe(401);
  });
});
