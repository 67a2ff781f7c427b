import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let acquirer: TestParticipant;
let otherAcquirer: TestParticipant;

const shop = { name: 'Toko Makmur', mcc: '5411', city: 'Jakarta', country: 'ID', currency: 'IDR' };

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  acquirer = await createParticipant(hub, { name: 'Acquirer Bank', roles: ['acquirer'], currencies: ['IDR'] });
  otherAcquirer = await createParticipant(hub, { name: 'Other Bank', roles: ['acquirer'], currencies: ['IDR'] });
});
afterAll(async () => hub?.stop());

describe('merchant creation', () => {
  test('an acquirer creates its merchant; the key is shown once and works', async () => {
    const created = await acquirer.call('POST', '/v1/merchants', shop);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...shop, acquirerId: acquirer.id, status: 'active' });
    expect(created.body.secretKey).toMatch(/^sk_/);
    const read = await acquirer.call('GET', `/v1/merchants/${created.body.id}`);
    expect(read.body.secretKey).toBeUndefined();
    const self = await bearerClient(hub, created.body.secretKey)('GET', '/v1/merchant');
    expect(self.status).toBe(200);
    expect(self.body.id).toBe(created.body.id);
  });

  test('the operator names the acquirer', async () => {
    const missing = await operator('POST', '/v1/merchants', shop);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('invalid_request');
    expect(missing.body.errors).toEqual([{ pointer: '/acquirerId', detail: 'is required' }]);
    const created = await operator('POST', '/v1/merchants', { ...shop, acquirerId: acquirer.id });
    expect(created.status).toBe(201);
    expect(created.body.acquirerId).toBe(acquirer.id);
  });

  test('refusals: currency the acquirer does not serve, an issuer-only participant, bad codes', async () => {
    const cny = await acquirer.call('POST', '/v1/merchants', { ...shop, currency: 'CNY' });
    expect(cny.status).toBe(422);
    expect(cny.body.code).toBe('currency_not_supported');
    const issuer = await createParticipant(hub, { roles: ['issuer'], currencies: ['IDR'] });
    const notAcquirer = await issuer.call('POST', '/v1/merchants', shop);
    expect(notAcquirer.status).toBe(422);
    expect(notAcquirer.body.code).toBe('role_missing');
    const badCodes = await acquirer.call('POST', '/v1/merchants', { ...shop, country: 'XQ', currency: 'ABC' });
    expect(badCodes.status).toBe(400);
    expect(badCodes.body.code).toBe('invalid_request');
    expect(badCodes.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/country', '/currency']);
    const tooLong = await acquirer.call('POST', '/v1/merchants', { ...shop, name: 'N'.repeat(26), mcc: '54a1' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('invalid_request');
    expect(tooLong.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/mcc', '/name']);
  });
});

describe('merchant management', () => {
  test('update, suspend, reinstate and key rotation, each audited', async () => {
    const created = await acquirer.call('POST', '/v1/merchants', shop);
    const id = created.body.id;
    const oldKey = created.body.secretKey;
    const patched = await acquirer.call('PATCH', `/v1/merchants/${id}`, { name: 'Toko Baru', city: 'Bandung' });
    expect(patched.body).toMatchObject({ name: 'Toko Baru', city: 'Bandung', mcc: '5411' });

    const suspended = await acquirer.call('POST', `/v1/merchants/${id}/suspend`);
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    const again = await acquirer.call('POST', `/v1/merchants/${id}/suspend`);
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('invalid_transition');
    const reinstated = await operator('POST', `/v1/merchants/${id}/reinstate`);
    expect(reinstated.body.status).toBe('active');

    const rotated = await acquirer.call('POST', `/v1/merchants/${id}/rotate-key`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secretKey).not.toBe(oldKey);
    expect(await bearerClient(hub, oldKey)('GET', '/v1/merchant')).toMatchObject({
      status: 401,
      body: { code: 'unauthenticated' },
    });
    expect((await bearerClient(hub, rotated.body.secretKey)('GET', '/v1/merchant')).status).toBe(200);

    const audit = await operator('GET', `/v1/audit-events?objectId=${id}`);
    expect(audit.body.data.map((event: { action: string }) => event.action)).toEqual([
      'merchant.created',
      'merchant.updated',
      'merchant.suspend',
      'merchant.reinstate',
      'merchant.key_rotated',
    ]);
    const update = audit.body.data[1];
    expect(update.actor).toEqual({ type: 'participant', id: acquirer.id });
    expect(update.before).toMatchObject({ name: 'Toko Makmur', city: 'Jakarta' });
    expect(update.after).toMatchObject({ name: 'Toko Baru', city: 'Bandung' });
    expect(JSON.stringify(audit.body)).not.toContain(rotated.body.secretKey);
  });

  test("another acquirer's merchant is not found, and lists hold only one's own", async () => {
    const mine = await acquirer.call('POST', '/v1/merchants', shop);
    const theirs = await otherAcquirer.call('GET', `/v1/merchants/${mine.body.id}`);
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('not_found');
    const patch = await otherAcquirer.call('PATCH', `/v1/merchants/${mine.body.id}`, { name: 'Hijack' });
    expect(patch.status).toBe(404);
    expect(patch.body.code).toBe('not_found');
    const list = await otherAcquirer.call('GET', '/v1/merchants?limit=100');
    expect(list.body.data.every((merchant: { acquirerId: string }) => merchant.acquirerId === otherAcquirer.id)).toBe(
      true,
    );
    const all = await operator('GET', '/v1/merchants?limit=100');
    expect(all.body.data.some((merchant: { id: string }) => merchant.id === mine.body.id)).toBe(true);
  });

  test('a merchant key cannot manage merchants', async () => {
    const created = await acquirer.call('POST', '/v1/merchants', shop);
    const asMerchant = bearerClient(hub, created.body.secretKey);
    const refused = await asMerchant('GET', '/v1/merchants');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
  });
});
