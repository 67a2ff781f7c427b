import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { referenceSign } from '../testing/rfc9421-reference-signer.ts';
import { type TestHub, type TestParticipant, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';
import { generateEd25519KeyPair, publicKeyToJwk } from './jwk.ts';
import { signRequest } from './sign-request.ts';

let hub: TestHub;
let wallet: TestParticipant;

beforeAll(async () => {
  hub = await startTestHub();
  wallet = await createParticipant(hub, { name: 'Signing Wallet' });
});
afterAll(async () => hub?.stop());

type Sent = { status: number; body: any };

async function sendSigned(
  path: string,
  body: unknown,
  edit: (headers: Record<string, string>) => Record<string, string> = (h) => h,
  keyId = wallet.keyId,
  privateKey = wallet.privateKey,
  at = hub.clock.now(),
): Promise<Sent> {
  const url = `${hub.url}${path}`;
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': `sig-${Math.random()}`,
  };
  const signature = await signRequest(
    { method: 'POST', url, headers, body: text },
    { keyId, privateKey, now: () => at },
  );
  const response = await fetch(url, { method: 'POST', headers: edit({ ...headers, ...signature }), body: text });
  return { status: response.status, body: await response.json() };
}

const keyBody = () => {
  const kid = `k-${Math.random().toString(36).slice(2)}`;
  return { kid, jwk: publicKeyToJwk(generateEd25519KeyPair().publicKey, kid) };
};

describe('signed requests', () => {
  test('a well-signed request passes', async () => {
    const response = await sendSigned(`/v1/participants/${wallet.id}/keys`, keyBody());
    expect(response.status).toBe(201);
  });

  test('each refusal has its own 401 code', async () => {
    const path = `/v1/participants/${wallet.id}/keys`;
    const stranger = generateEd25519KeyPair();
    const rows: [string, () => Promise<Sent>][] = [
      [
        'signature_missing',
        async () => {
          const response = await bearerClient(hub, undefined)('POST', path, keyBody());
          return response;
        },
      ],
      ['key_unknown', () => sendSigned(path, keyBody(), undefined, 'nobody-has-this-kid', stranger.privateKey)],
      ['signature_invalid', () => sendSigned(path, keyBody(), undefined, wallet.keyId, stranger.privateKey)],
      [
        'digest_mismatch',
        () =>
          sendSigned(path, keyBody(), (headers) => ({
            ...headers,
            'content-digest': 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:',
          })),
      ],
      [
        'signature_expired',
        () =>
          sendSigned(
            path,
            keyBody(),
            undefined,
            wallet.keyId,
            wallet.privateKey,
            new Date(hub.clock.now().getTime() - 301_000),
          ),
      ],
    ];
    for (const [code, send] of rows) {
      const response = await send();
      expect(response.status, code).toBe(401);
      expect(response.body.code, code).toBe(code);
    }
  });

  test('a replayed nonce is refused', async () => {
    const url = `${hub.url}/v1/participants/${wallet.id}`;
    const signature = await signRequest(
      { method: 'GET', url, headers: {} },
      { keyId: wallet.keyId, privateKey: wallet.privateKey, now: () => hub.clock.now(), nonce: 'once-only' },
    );
    const first = await fetch(url, { headers: signature });
    expect(first.status).toBe(200);
    const replay = await fetch(url, { headers: signature });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('nonce_reused');
  });

  test('a revoked key is refused with key_revoked', async () => {
    const rotating = await createParticipant(hub);
    const second = keyBody();
    await bearerClient(hub, hub.operatorToken)('POST', `/v1/participants/${rotating.id}/keys`, second);
    await bearerClient(hub, hub.operatorToken)('DELETE', `/v1/participants/${rotating.id}/keys/${rotating.keyId}`);
    const response = await rotating.call('GET', `/v1/participants/${rotating.id}`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('key_revoked');
  });

  test('a request signed by an independent RFC 9421 client is accepted', async () => {
    const url = `${hub.url}/v1/participants/${wallet.id}/keys?source=reference`;
    const body = JSON.stringify(keyBody());
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': 'reference-1' };
    const signed = referenceSign(
      { method: 'POST', url, headers, body },
      {
        keyId: wallet.keyId,
        privateKey: wallet.privateKey,
        created: Math.floor(hub.clock.now().getTime() / 1000),
        nonce: 'reference-nonce-1',
      },
    );
    const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signed.headers }, body });
    expect(response.status, await response.clone().text()).toBe(201);
  });
});
