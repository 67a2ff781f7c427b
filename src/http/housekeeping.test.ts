import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIdempotency, purgeExpiredNonces } from './index.ts';
import { type TestHub, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';

const hourMs = 60 * 60 * 1000;
const minuteMs = 60 * 1000;
/** The hub keeps an idempotency key 48 hours (docs/concepts.md: at least 24). */
const keyRetentionMs = 48 * hourMs;
/** A nonce is kept while its signature may still be presented: 5 minutes of age plus a 1 minute margin. */
const nonceLifetimeMs = 6 * minuteMs;

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

const participant = (name: string) => ({
  name,
  roles: ['issuer'],
  currencies: ['CNY'],
  callbackUrl: 'https://w.example/cb',
});

async function storedKeys(): Promise<string[]> {
  const rows = await hub.ctx.db.kysely.selectFrom('idempotency_keys').select('key').execute();
  return rows.map((row) => row.key).sort();
}

async function storedNonceCount(keyId: string): Promise<number> {
  const rows = await hub.ctx.db.kysely
    .selectFrom('signature_nonces')
    .select('nonce')
    .where('key_id', '=', keyId)
    .execute();
  return rows.length;
}

describe('housekeeping purge', () => {
  test('expired idempotency keys are deleted; unexpired ones stay and still replay', async () => {
    const idempotency = createIdempotency(hub.ctx.db, hub.clock, hub.config.masterKey, hub.ctx.random);
    const old = await operator('POST', '/v1/participants', participant('Old key'), { idempotencyKey: 'hk-old' });
    expect(old.status, old.text).toBe(201);
    hub.clock.advanceMs(keyRetentionMs - hourMs);
    const young = await operator('POST', '/v1/participants', participant('Young key'), { idempotencyKey: 'hk-young' });
    expect(young.status, young.text).toBe(201);

    // Nothing has expired yet: the purge keeps both.
    expect(await idempotency.purgeExpired()).toBe(0);
    expect(await storedKeys()).toEqual(expect.arrayContaining(['hk-old', 'hk-young']));

    hub.clock.advanceMs(2 * hourMs);
    expect(await idempotency.purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await storedKeys();
    expect(left).not.toContain('hk-old');
    expect(left).toContain('hk-young');

    // The kept key still replays; the purged one is free again and creates anew.
    const youngAgain = await operator('POST', '/v1/participants', participant('Young key'), {
      idempotencyKey: 'hk-young',
    });
    expect(youngAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(youngAgain.body.id).toBe(young.body.id);
    const oldAgain = await operator('POST', '/v1/participants', participant('Old key'), { idempotencyKey: 'hk-old' });
    expect(oldAgain.status, oldAgain.text).toBe(201);
    expect(oldAgain.headers.get('idempotent-replayed')).toBeNull();
    expect(oldAgain.body.id).not.toBe(old.body.id);
  });

  test('expired signature nonces are deleted; unexpired ones stay', async () => {
    const wallet = await createParticipant(hub, { name: 'Nonce Wallet' });
    const read = () => wallet.call('GET', `/v1/participants/${wallet.id}`);
    expect((await read()).status).toBe(200);
    expect(await storedNonceCount(wallet.keyId)).toBe(1);

    hub.clock.advanceMs(nonceLifetimeMs / 2);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect(await storedNonceCount(wallet.keyId)).toBe(3);

    // Nothing is past its expiry yet.
    expect(await purgeExpiredNonces(hub.ctx.db, hub.clock.now())).toBe(0);
    expect(await storedNonceCount(wallet.keyId)).toBe(3);

    // The first nonce passes its expiry; the two later ones do not.
    hub.clock.advanceMs(nonceLifetimeMs / 2 + minuteMs);
    expect(await purgeExpiredNonces(hub.ctx.db, hub.clock.now())).toBe(1);
    expect(await storedNonceCount(wallet.keyId)).toBe(2);

    hub.clock.advanceMs(nonceLifetimeMs);
    expect(await purgeExpiredNonces(hub.ctx.db, hub.clock.now())).toBe(2);
    expect(await storedNonceCount(wallet.keyId)).toBe(0);
  });
});
