import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { idempotencyWaitMs } from './index.ts';
import { type ApiResponse, type TestHub, bearerClient, startTestHub, testEngine } from '../testing/index.ts';
import { createMerchant, createWallet } from '../testing/world.ts';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

const participant = (name: string) => ({
  name,
  roles: ['issuer'],
  currencies: ['CNY'],
  callbackUrl: 'https://w.example/cb',
});

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

async function countNamed(name: string): Promise<number> {
  const page = await operator('GET', '/v1/participants?limit=100');
  return page.body.data.filter((row: { name: string }) => row.name === name).length;
}

describe('idempotency', () => {
  test('a POST without a key is refused', async () => {
    const response = await operator('POST', '/v1/participants', participant('No key'), { omitIdempotencyKey: true });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('idempotency_key_missing');
  });

  test('a repeat is replayed byte for byte and creates nothing new', async () => {
    const first = await operator('POST', '/v1/participants', participant('Replay'), { idempotencyKey: 'replay-1' });
    const second = await operator('POST', '/v1/participants', participant('Replay'), { idempotencyKey: 'replay-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await countNamed('Replay')).toBe(1);
  });

  test('a 4xx answer is replayed too', async () => {
    const invalid = { ...participant('Bad'), currencies: ['ZZZ'] };
    const first = await operator('POST', '/v1/participants', invalid, { idempotencyKey: 'bad-1' });
    const second = await operator('POST', '/v1/participants', invalid, { idempotencyKey: 'bad-1' });
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('invalid_request');
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  test('the same key with another body is 422 idempotency_key_reused', async () => {
    await operator('POST', '/v1/participants', participant('Reuse A'), { idempotencyKey: 'reuse-1' });
    const other = await operator('POST', '/v1/participants', participant('Reuse B'), { idempotencyKey: 'reuse-1' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await countNamed('Reuse B')).toBe(0);
  });

  test('keys are scoped to the caller: another party may use the same key', async () => {
    const created = await operator(
      'POST',
      '/v1/participants',
      { ...participant('Scoped'), roles: ['acquirer'], currencies: ['IDR'] },
      { idempotencyKey: 'scoped-1' },
    );
    await operator('POST', `/v1/participants/${created.body.id}/approve`);
    const shop = {
      name: 'Shop',
      mcc: '5411',
      city: 'Jakarta',
      country: 'ID',
      currency: 'IDR',
      acquirerId: created.body.id,
    };
    const merchant = await operator('POST', '/v1/merchants', shop, { idempotencyKey: 'scoped-2' });
    const asMerchant = bearerClient(hub, merchant.body.secretKey);
    const sameKeyOtherParty = await asMerchant('POST', '/v1/participants', participant('Not allowed'), {
      idempotencyKey: 'scoped-1',
    });
    expect(sameKeyOtherParty.status).toBe(403);
    expect(sameKeyOtherParty.body.code).toBe('forbidden');
  });

  test('two merchants sending the same Idempotency-Key to POST /v1/checkouts get two checkouts', async () => {
    const acquirer = await createWallet(hub, 'Scope Acquirer', { roles: ['issuer', 'acquirer'] });
    const first = await createMerchant(hub, acquirer, { name: 'Scope Shop One' });
    const second = await createMerchant(hub, acquirer, { name: 'Scope Shop Two' });
    const sharedKey = { idempotencyKey: 'merchant-shared-key-1' };
    const body = {
      amount: 1_000,
      currency: 'CNY',
      reference: 'same-order',
      buyerId: 'buyer-1',
      lines: [{ kind: 'product', name: 'Tea', quantity: 1, unitAmount: 1_000 }],
    };
    const byFirst = await first.call('POST', '/v1/checkouts', body, sharedKey);
    const bySecond = await second.call('POST', '/v1/checkouts', body, sharedKey);
    expect(byFirst.status, byFirst.text).toBe(201);
    expect(bySecond.status, bySecond.text).toBe(201);
    expect(bySecond.headers.get('idempotent-replayed')).toBeNull();
    expect(bySecond.body.id).not.toBe(byFirst.body.id);
    expect(byFirst.body.merchantId).toBe(first.id);
    expect(bySecond.body.merchantId).toBe(second.id);
    // Each merchant's own repeat still replays its own checkout.
    const firstAgain = await first.call('POST', '/v1/checkouts', body, sharedKey);
    expect(firstAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(firstAgain.body.id).toBe(byFirst.body.id);
  });

  test('two participants sending the same Idempotency-Key to POST /v1/merchants get two merchants', async () => {
    const one = await createWallet(hub, 'Scope Wallet One', { roles: ['issuer', 'acquirer'] });
    const two = await createWallet(hub, 'Scope Wallet Two', { roles: ['issuer', 'acquirer'] });
    const shop = { name: 'Same Shop', mcc: '5411', city: 'Shanghai', country: 'CN', currency: 'CNY' };
    const sharedKey = { idempotencyKey: 'participant-shared-key-1' };
    const byOne = await one.call('POST', '/v1/merchants', shop, sharedKey);
    const byTwo = await two.call('POST', '/v1/merchants', shop, sharedKey);
    expect(byOne.status, byOne.text).toBe(201);
    expect(byTwo.status, byTwo.text).toBe(201);
    expect(byTwo.headers.get('idempotent-replayed')).toBeNull();
    expect(byTwo.body.id).not.toBe(byOne.body.id);
    expect(byTwo.body.secretKey).not.toBe(byOne.body.secretKey);
  });

  test('concurrent repeats: one runs, the others wait for its answer and replay it; one object', async () => {
    const body = participant('Concurrent');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => operator('POST', '/v1/participants', body, { idempotencyKey: 'concurrent-1' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await countNamed('Concurrent')).toBe(1);
  });

  if (testEngine() !== 'postgres') {
    console.log(
      'skipped on SQLite, by design: holding a request in flight needs a row lock from a second connection, which ' +
        'SQLite cannot give without also blocking the key claim; the PostgreSQL run covers it',
    );
  }
  /** Holds the first request inside its transaction (PostgreSQL table lock) while `during` runs. */
  async function whileHeld(key: string, during: (first: Promise<ApiResponse>) => Promise<void>): Promise<ApiResponse> {
    const blocker = new pg.Client({ connectionString: hub.config.db });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table participants in exclusive mode');
      const first = operator('POST', '/v1/participants', participant(key), { idempotencyKey: key });
      await sleep(300);
      await during(first);
      await blocker.query('rollback');
      return await first;
    } finally {
      await blocker.end();
    }
  }

  test.runIf(testEngine() === 'postgres')(
    'a repeat while the first request is held waits, and answers with its answer once it commits',
    async () => {
      let repeat: Promise<ApiResponse> | undefined;
      const first = await whileHeld('held-briefly', async () => {
        repeat = operator('POST', '/v1/participants', participant('held-briefly'), { idempotencyKey: 'held-briefly' });
        await sleep(idempotencyWaitMs / 5);
      });
      const repeated = await repeat;
      expect(first.status, first.text).toBe(201);
      expect(repeated?.status, repeated?.text).toBe(201);
      expect(repeated?.text).toBe(first.text);
      expect(repeated?.headers.get('idempotent-replayed')).toBe('true');
    },
  );

  test.runIf(testEngine() === 'postgres')(
    'a repeat while the first request is held past the wait bound is 409 idempotency_request_in_progress',
    async () => {
      const first = await whileHeld('held-long', async () => {
        const repeat = await operator('POST', '/v1/participants', participant('held-long'), {
          idempotencyKey: 'held-long',
        });
        expect(repeat.status).toBe(409);
        expect(repeat.body.code).toBe('idempotency_request_in_progress');
      });
      expect(first.status).toBe(201);
    },
  );
});
