import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateEd25519KeyPair, publicKeyToJwk } from '../http/index.ts';
import { type TestHub, bearerClient, createParticipant, signedClient, startTestHub } from '../testing/index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
/** A hub as production runs it: private URLs refused. */
let strictHub: TestHub;
let strictOperator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  strictHub = await startTestHub({ config: { allowPrivateUrls: false } });
  strictOperator = bearerClient(strictHub, strictHub.operatorToken);
});
afterAll(async () => {
  await strictHub?.stop();
  await hub?.stop();
});

function newKey(kid: string) {
  const pair = generateEd25519KeyPair();
  return { pair, key: { kid, jwk: publicKeyToJwk(pair.publicKey, kid) } };
}

describe('participant lifecycle', () => {
  test('admitted as pending_review, approved, suspended, reinstated; each change stamped', async () => {
    const { key } = newKey('life-1');
    const created = await operator('POST', '/v1/participants', {
      name: 'GoPay',
      roles: ['issuer', 'acquirer'],
      currencies: ['IDR', 'CNY'],
      callbackUrl: 'https://wallet.example/hub',
      publicKeys: [key],
      appSwitchUrlTemplate: 'gopay://pay?token={token}',
      paymentCodePrefixes: ['62'],
      netDebitCaps: { IDR: 100_000_000 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending_review',
      paymentCodePrefixes: ['62'],
      netDebitCaps: { IDR: 100_000_000 },
      approvedAt: null,
    });
    expect(created.body.id).toMatch(/^par_/);
    const id = created.body.id;

    const approved = await operator('POST', `/v1/participants/${id}/approve`);
    expect(approved.body).toMatchObject({ status: 'active' });
    expect(approved.body.approvedAt).toBe(hub.clock.now().toISOString());

    const suspended = await operator('POST', `/v1/participants/${id}/suspend`, { reason: 'compliance review' });
    expect(suspended.body).toMatchObject({ status: 'suspended', statusReason: 'compliance review' });
    expect(suspended.body.suspendedAt).not.toBeNull();

    const reinstated = await operator('POST', `/v1/participants/${id}/reinstate`);
    expect(reinstated.body.status).toBe('active');

    const rejectActive = await operator('POST', `/v1/participants/${id}/reject`, { reason: 'late' });
    expect(rejectActive.status).toBe(422);
    expect(rejectActive.body.code).toBe('invalid_transition');
  });

  test('a rejected participant stays rejected and cannot call the hub', async () => {
    const pending = await createParticipant(hub, { name: 'Rejected Pay' }, false);
    const rejected = await operator('POST', `/v1/participants/${pending.id}/reject`, { reason: 'incomplete licence' });
    expect(rejected.body).toMatchObject({ status: 'rejected', statusReason: 'incomplete licence' });
    const ownRead = await pending.call('GET', `/v1/participants/${pending.id}`);
    expect(ownRead.status).toBe(403);
    expect(ownRead.body.code).toBe('forbidden');
  });

  test('lists and reads: the operator sees all, a participant only itself', async () => {
    const first = await createParticipant(hub, { name: 'First' });
    const second = await createParticipant(hub, { name: 'Second' });
    const own = await first.call('GET', `/v1/participants/${first.id}`);
    expect(own.status).toBe(200);
    const other = await first.call('GET', `/v1/participants/${second.id}`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
    const list = await first.call('GET', '/v1/participants');
    expect(list.status).toBe(403);
    expect(list.body.code).toBe('forbidden');
    const page = await operator('GET', '/v1/participants?limit=1');
    expect(page.body.data).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await operator('GET', `/v1/participants?limit=1&after=${page.body.nextCursor}`);
    expect(next.body.data[0].id > page.body.data[0].id).toBe(true);
  });
});

describe('participant keys', () => {
  test('rotation: a second key works beside the first, a revoked one is refused', async () => {
    const wallet = await createParticipant(hub, { name: 'Rotating' });
    const { pair, key } = newKey(`rot-${wallet.id}`);
    const added = await wallet.call('POST', `/v1/participants/${wallet.id}/keys`, key);
    expect(added.status).toBe(201);
    expect(added.body.publicKeys.map((k: { kid: string; status: string }) => [k.kid, k.status])).toEqual([
      [wallet.keyId, 'active'],
      [key.kid, 'active'],
    ]);
    const withNewKey = signedClient(hub, key.kid, pair.privateKey);
    expect((await withNewKey('GET', `/v1/participants/${wallet.id}`)).status).toBe(200);
    expect((await wallet.call('GET', `/v1/participants/${wallet.id}`)).status).toBe(200);

    const revoked = await withNewKey('DELETE', `/v1/participants/${wallet.id}/keys/${wallet.keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.publicKeys.find((k: { kid: string }) => k.kid === wallet.keyId).status).toBe('revoked');
    const withOldKey = await wallet.call('GET', `/v1/participants/${wallet.id}`);
    expect(withOldKey.status).toBe(401);
    expect(withOldKey.body.code).toBe('key_revoked');
  });

  test('a kid is unique across the hub', async () => {
    const first = await createParticipant(hub);
    const second = await createParticipant(hub);
    const { key } = newKey(first.keyId);
    const clash = await operator('POST', `/v1/participants/${second.id}/keys`, key);
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('key_id_taken');
    const atCreation = await operator('POST', '/v1/participants', {
      name: 'Clash',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'https://x.example',
      publicKeys: [key],
    });
    expect(atCreation.status).toBe(409);
    expect(atCreation.body.code).toBe('key_id_taken');
  });

  test('a key that is not an Ed25519 public JWK is refused with its pointer', async () => {
    const wallet = await createParticipant(hub);
    const bad = await operator('POST', `/v1/participants/${wallet.id}/keys`, {
      kid: 'bad-key',
      jwk: { kty: 'RSA', n: 'x', e: 'AQAB' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
    expect(bad.body.errors).toEqual([{ pointer: '/jwk', detail: expect.any(String) }]);
  });
});

describe('payment-code prefixes', () => {
  test('prefixes of two participants never overlap', async () => {
    await createParticipant(hub, { paymentCodePrefixes: ['281'] });
    for (const clash of ['28', '2811', '281']) {
      const refused = await operator('POST', '/v1/participants', {
        name: 'Overlap',
        roles: ['issuer'],
        currencies: ['CNY'],
        callbackUrl: 'https://x.example',
        paymentCodePrefixes: [clash],
      });
      expect(refused.status, clash).toBe(422);
      expect(refused.body.code).toBe('prefix_overlap');
    }
    const sibling = await createParticipant(hub, { paymentCodePrefixes: ['282'] });
    expect(sibling.body.paymentCodePrefixes).toEqual(['282']);
  });

  test('two prefixes of one request that overlap each other are invalid', async () => {
    const refused = await operator('POST', '/v1/participants', {
      name: 'Self overlap',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'https://x.example',
      paymentCodePrefixes: ['77', '771'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('invalid_request');
    expect(refused.body.errors[0].pointer).toBe('/paymentCodePrefixes');
  });
});

describe('wallet directory', () => {
  test('lists active issuers with their flows, not acquirers or suspended ones', async () => {
    const issuer = await createParticipant(hub, {
      name: 'Directory Wallet',
      roles: ['issuer'],
      appSwitchUrlTemplate: 'dw://pay/{token}',
      paymentCodePrefixes: ['93'],
    });
    const acquirerOnly = await createParticipant(hub, { name: 'Only Acquirer', roles: ['acquirer'] });
    const suspended = await createParticipant(hub, { name: 'Suspended Wallet', roles: ['issuer'] });
    await operator('POST', `/v1/participants/${suspended.id}/suspend`);
    const directory = await issuer.call('GET', '/v1/wallets');
    expect(directory.status).toBe(200);
    const ids = directory.body.data.map((wallet: { id: string }) => wallet.id);
    expect(ids).toContain(issuer.id);
    expect(ids).not.toContain(acquirerOnly.id);
    expect(ids).not.toContain(suspended.id);
    expect(directory.body.data.find((wallet: { id: string }) => wallet.id === issuer.id)).toEqual({
      id: issuer.id,
      name: 'Directory Wallet',
      currencies: ['CNY'],
      flows: ['app_switch', 'qr', 'friend_pay', 'payment_code'],
    });
  });
});

describe('callback URL', () => {
  const fields = { name: 'Callback Wallet', roles: ['issuer'], currencies: ['CNY'] };

  test.each([
    ['loopback', 'http://127.0.0.1:8080/hub'],
    ['loopback, short', 'http://127.1/hub'],
    ['loopback, hexadecimal', 'http://0x7f000001/hub'],
    ['loopback, one number', 'http://2130706433/hub'],
    ['loopback, octal', 'http://0177.0.0.1/hub'],
    ['loopback, IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/hub'],
    ['loopback, IPv6', 'http://[::1]/hub'],
    ['loopback, by name', 'http://localhost/hub'],
    ['private', 'https://10.0.0.7/hub'],
    ['private', 'https://192.168.1.20/hub'],
    ['link-local', 'http://169.254.10.10/hub'],
    ['cloud metadata', 'http://169.254.169.254/latest'],
    ['unique-local IPv6', 'https://[fd12:3456::1]/hub'],
    ['link-local IPv6', 'https://[fe80::1]/hub'],
  ])('without allowPrivateUrls, a %s address is refused: %s', async (_kind, callbackUrl) => {
    const refused = await strictOperator('POST', '/v1/participants', { ...fields, callbackUrl });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.code).toBe('url_not_allowed');
  });

  test('without allowPrivateUrls, a public address is admitted, and a name that does not resolve yet', async () => {
    for (const callbackUrl of ['https://93.184.216.34/hub', 'https://wallet.example/hub']) {
      const admitted = await strictOperator('POST', '/v1/participants', { ...fields, callbackUrl });
      expect(admitted.status, admitted.text).toBe(201);
    }
  });

  test('with allowPrivateUrls (demo and tests), loopback is admitted but cloud metadata never', async () => {
    const loopback = await operator('POST', '/v1/participants', { ...fields, callbackUrl: 'http://0x7f000001:9/' });
    expect(loopback.status, loopback.text).toBe(201);
    const metadata = await operator('POST', '/v1/participants', {
      ...fields,
      callbackUrl: 'http://[::ffff:169.254.169.254]/latest',
    });
    expect(metadata.status).toBe(422);
    expect(metadata.body.code).toBe('url_not_allowed');
  });
});
