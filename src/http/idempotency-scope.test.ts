import { afterAll, beforeAll, expect, test } from 'vitest';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import { generateEd25519KeyPair, publicKeyToJwk } from './index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

const participant = {
  name: 'Slash Wallet',
  roles: ['issuer'],
  currencies: ['CNY'],
  callbackUrl: 'https://w.example/cb',
};

test('a retry spelled with a trailing slash replays the first answer instead of doing it twice', async () => {
  const first = await operator('POST', '/v1/participants', participant, { idempotencyKey: 'slash-1' });
  if (first.status !== 201) throw new Error(first.text);
  const second = await operator('POST', '/v1/participants/', participant, { idempotencyKey: 'slash-1' });
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.body.id).toBe(first.body.id);
  const page = await operator('GET', '/v1/participants?limit=100');
  expect(page.body.data.filter((row: { name: string }) => row.name === participant.name)).toHaveLength(1);
});

test('the same key on one route pattern with other path parameters is another request', async () => {
  const a = await operator('POST', '/v1/participants', { ...participant, name: 'Param A' }, { idempotencyKey: 'p' });
  const b = await operator('POST', '/v1/participants', { ...participant, name: 'Param B' }, { idempotencyKey: 'q' });
  // One body for both, so only the path parameter tells the two requests apart.
  const pair = generateEd25519KeyPair();
  const key = { kid: 'shared-kid-shape', jwk: publicKeyToJwk(pair.publicKey, 'shared-kid-shape') };
  const toA = await operator('POST', `/v1/participants/${a.body.id}/keys`, key, { idempotencyKey: 'same' });
  const toB = await operator('POST', `/v1/participants/${b.body.id}/keys`, key, { idempotencyKey: 'same' });
  expect(toA.status).toBe(201);
  expect(toB.headers.get('idempotent-replayed')).toBeNull();
  expect(toB.status).toBe(409);
  expect(toB.body.code).toBe('key_id_taken');
});
