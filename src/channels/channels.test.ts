import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';

type Client = ReturnType<typeof bearerClient>;

let hub: TestHub;
let operator: Client;
/** A wallet that also acquires: its merchants get a channel with it without review. */
let walletAcquirer: TestParticipant;
/** An acquirer that is no wallet. */
let bank: TestParticipant;
let walletB: TestParticipant;
let walletC: TestParticipant;

const shop = { name: 'Toko Makmur', mcc: '5411', city: 'Jakarta', country: 'ID', currency: 'CNY' };

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  walletAcquirer = await createParticipant(hub, { name: 'Wallet A', roles: ['issuer', 'acquirer'] });
  bank = await createParticipant(hub, { name: 'Bank', roles: ['acquirer'] });
  walletB = await createParticipant(hub, { name: 'Wallet B', roles: ['issuer'] });
  walletC = await createParticipant(hub, { name: 'Wallet C', roles: ['issuer'] });
});
afterAll(async () => hub?.stop());

async function newMerchant(acquirer: TestParticipant, name = shop.name): Promise<{ id: string; call: Client }> {
  const created = await acquirer.call('POST', '/v1/merchants', { ...shop, name });
  expect(created.status, created.text).toBe(201);
  return { id: created.body.id, call: bearerClient(hub, created.body.secretKey) };
}

async function apply(merchant: { call: Client }, walletId: string, businessDetails?: unknown) {
  return merchant.call('POST', '/v1/channel-applications', {
    walletId,
    ...(businessDetails ? { businessDetails } : {}),
  });
}

/**
 * On PostgreSQL the feed shows an event only once every older transaction of
 * the server has ended (other databases' too), so it may lag for a moment.
 */
async function settledFeed(call: Client, count: number): Promise<unknown[]> {
  const attemptsMax = 50;
  const pauseMs = 100;
  for (let attempt = 1; ; attempt += 1) {
    const feed = await call('GET', '/v1/events?limit=100');
    expect(feed.status, feed.text).toBe(200);
    if (feed.body.data.length >= count || attempt >= attemptsMax) return feed.body.data;
    await new Promise((done) => setTimeout(done, pauseMs));
  }
}

async function auditOf(objectId: string) {
  const events = await operator('GET', `/v1/audit-events?objectId=${objectId}&limit=100`);
  return events.body.data as { action: string; actor: { type: string; id: string }; before: any; after: any }[];
}

describe('own acquirer', () => {
  test("a merchant's acquirer that is a wallet is approved without review, and audited", async () => {
    const merchant = await newMerchant(walletAcquirer);
    const list = await merchant.call('GET', '/v1/channel-applications');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const own = list.body.data[0];
    expect(own).toMatchObject({
      merchantId: merchant.id,
      walletId: walletAcquirer.id,
      status: 'approved',
      businessDetails: {},
      wallet: { name: 'Wallet A' },
    });
    expect(own.id).toMatch(/^cha_/);
    expect(own.approvedAt).toBe(own.createdAt);
    const [created] = await auditOf(own.id);
    expect(created).toMatchObject({
      action: 'channel.created',
      actor: { type: 'participant', id: walletAcquirer.id },
      before: null,
      after: { status: 'approved' },
    });

    const again = await apply(merchant, walletAcquirer.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'application_exists', existingId: own.id });
  });

  test('an acquirer that is no wallet opens no channel', async () => {
    const merchant = await newMerchant(bank);
    const list = await merchant.call('GET', '/v1/channel-applications');
    expect(list.body.data).toEqual([]);
  });
});

describe('the review conversation', () => {
  test('apply, request info, answer, approve, suspend, reinstate; each change stamped and audited', async () => {
    const merchant = await newMerchant(bank, 'Review Shop');
    const details = { website: 'https://review.example', expectedMonthlyVolume: 5_000_000 };
    const applied = await apply(merchant, walletB.id, details);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({
      merchantId: merchant.id,
      walletId: walletB.id,
      status: 'pending',
      businessDetails: details,
      question: null,
      reason: null,
      merchant: { name: 'Review Shop', mcc: '5411', city: 'Jakarta', country: 'ID', currency: 'CNY' },
      wallet: { name: 'Wallet B' },
      approvedAt: null,
    });
    const id = applied.body.id;

    const inbox = await walletB.call('GET', '/v1/channel-applications?status=pending&limit=100');
    const listed = inbox.body.data.find((channel: { id: string }) => channel.id === id);
    expect(listed).toMatchObject({ merchant: { name: 'Review Shop', mcc: '5411', city: 'Jakarta', country: 'ID' } });

    hub.clock.advanceMs(1000);
    const asked = await walletB.call('POST', `/v1/channel-applications/${id}/request-info`, {
      question: 'What do you sell?',
    });
    expect(asked.body).toMatchObject({
      status: 'info_requested',
      question: 'What do you sell?',
      infoRequestedAt: hub.clock.now().toISOString(),
    });
    const pendingNow = await walletB.call('GET', '/v1/channel-applications?status=pending&limit=100');
    expect(pendingNow.body.data.map((channel: { id: string }) => channel.id)).not.toContain(id);

    hub.clock.advanceMs(1000);
    const answered = await merchant.call('PATCH', `/v1/channel-applications/${id}`, {
      businessDetails: { note: 'Groceries and household goods' },
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      status: 'pending',
      question: 'What do you sell?',
      businessDetails: { ...details, note: 'Groceries and household goods' },
      infoProvidedAt: hub.clock.now().toISOString(),
    });

    hub.clock.advanceMs(1000);
    const approved = await walletB.call('POST', `/v1/channel-applications/${id}/approve`);
    expect(approved.body).toMatchObject({ status: 'approved', approvedAt: hub.clock.now().toISOString() });

    const suspended = await walletB.call('POST', `/v1/channel-applications/${id}/suspend`, {
      reason: 'chargeback review',
    });
    expect(suspended.body).toMatchObject({
      status: 'suspended',
      reason: 'chargeback review',
      suspendedAt: hub.clock.now().toISOString(),
    });
    const whileSuspended = await apply(merchant, walletB.id);
    expect(whileSuspended.status).toBe(409);
    expect(whileSuspended.body).toMatchObject({ code: 'application_exists', existingId: id });

    const reinstated = await walletB.call('POST', `/v1/channel-applications/${id}/reinstate`);
    expect(reinstated.body).toMatchObject({
      status: 'approved',
      reason: null,
      reinstatedAt: hub.clock.now().toISOString(),
    });

    const trail = await auditOf(id);
    expect(
      trail.map((event) => [event.action, event.actor.type, event.before?.status ?? null, event.after.status]),
    ).toEqual([
      ['channel.created', 'merchant', null, 'pending'],
      ['channel.request_info', 'participant', 'pending', 'info_requested'],
      ['channel.provide_info', 'merchant', 'info_requested', 'pending'],
      ['channel.approve', 'participant', 'pending', 'approved'],
      ['channel.suspend', 'participant', 'approved', 'suspended'],
      ['channel.reinstate', 'participant', 'suspended', 'approved'],
    ]);
    expect(trail[2]?.before.businessDetails).toEqual(details);
    expect(trail[2]?.after.businessDetails.note).toBe('Groceries and household goods');
    expect(trail[4]?.actor).toEqual({ type: 'participant', id: walletB.id });
  });

  test("the merchant is told of each of the wallet's decisions, with the channel as it now is", async () => {
    const merchant = await newMerchant(bank);
    const applied = await apply(merchant, walletB.id);
    const id = applied.body.id;
    await walletB.call('POST', `/v1/channel-applications/${id}/request-info`, { question: 'Why?' });
    await merchant.call('PATCH', `/v1/channel-applications/${id}`, { businessDetails: { note: 'Because' } });
    await walletB.call('POST', `/v1/channel-applications/${id}/approve`);
    await walletB.call('POST', `/v1/channel-applications/${id}/suspend`, { reason: 'review' });
    await walletB.call('POST', `/v1/channel-applications/${id}/reinstate`);
    const other = await apply(merchant, walletC.id);
    await walletC.call('POST', `/v1/channel-applications/${other.body.id}/reject`, { reason: 'no' });

    const events = (await settledFeed(merchant.call, 5)) as { type: string; data: { id: string; status: string } }[];
    expect(events.map((event) => [event.type, event.data.id, event.data.status])).toEqual([
      ['channel_application.info_requested', id, 'info_requested'],
      ['channel_application.approved', id, 'approved'],
      ['channel.suspended', id, 'suspended'],
      ['channel.reinstated', id, 'approved'],
      ['channel_application.rejected', other.body.id, 'rejected'],
    ]);
    expect(events[0]?.data).toMatchObject({ question: 'Why?', merchant: { name: shop.name } });
  });

  test('a rejection is final for that application; the merchant may apply again', async () => {
    const merchant = await newMerchant(bank);
    const first = await apply(merchant, walletC.id);
    const rejected = await walletC.call('POST', `/v1/channel-applications/${first.body.id}/reject`, {
      reason: 'outside our market',
    });
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      reason: 'outside our market',
      rejectedAt: hub.clock.now().toISOString(),
    });
    const trail = await auditOf(first.body.id);
    expect(trail.at(-1)).toMatchObject({
      action: 'channel.reject',
      before: { status: 'pending' },
      after: { status: 'rejected', reason: 'outside our market' },
    });

    const second = await apply(merchant, walletC.id);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    const third = await apply(merchant, walletC.id);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('application_exists');
    expect(third.body.existingId).toBe(second.body.id);
    const mine = await merchant.call('GET', '/v1/channel-applications');
    expect(mine.body.data.map((channel: { status: string }) => channel.status)).toEqual(['rejected', 'pending']);
  });

  test('a wallet may decide while its question is open', async () => {
    const merchant = await newMerchant(bank);
    const applied = await apply(merchant, walletC.id);
    await walletC.call('POST', `/v1/channel-applications/${applied.body.id}/request-info`, {
      question: 'Licence number?',
    });
    const approved = await walletC.call('POST', `/v1/channel-applications/${applied.body.id}/approve`);
    expect(approved.body.status).toBe('approved');
  });
});

describe('transitions the table does not allow', () => {
  const rows: { name: string; setup: string[]; action: [string, string, unknown?]; from: string }[] = [
    { name: 'approve an approved channel', setup: ['approve'], action: ['POST', 'approve'], from: 'approved' },
    { name: 'reinstate a pending one', setup: [], action: ['POST', 'reinstate'], from: 'pending' },
    { name: 'suspend a pending one', setup: [], action: ['POST', 'suspend', { reason: 'x' }], from: 'pending' },
    {
      name: 'ask an approved one a question',
      setup: ['approve'],
      action: ['POST', 'request-info', { question: 'x' }],
      from: 'approved',
    },
    {
      name: 'reject a suspended one',
      setup: ['approve', 'suspend'],
      action: ['POST', 'reject', { reason: 'x' }],
      from: 'suspended',
    },
    { name: 'approve a rejected one', setup: ['reject'], action: ['POST', 'approve'], from: 'rejected' },
    { name: 'answer when nothing was asked', setup: [], action: ['PATCH', ''], from: 'pending' },
  ];
  const setupBodies: Record<string, unknown> = {
    approve: undefined,
    suspend: { reason: 'r' },
    reject: { reason: 'r' },
  };

  test.each(rows)('$name → 422 invalid_transition', async ({ setup, action, from }) => {
    const merchant = await newMerchant(bank);
    const applied = await apply(merchant, walletC.id);
    const id = applied.body.id;
    for (const step of setup) {
      const done = await walletC.call('POST', `/v1/channel-applications/${id}/${step}`, setupBodies[step]);
      expect(done.status, done.text).toBe(200);
    }
    const [method, segment, body] = action;
    const refused =
      method === 'PATCH'
        ? await merchant.call('PATCH', `/v1/channel-applications/${id}`, { businessDetails: { note: 'unasked' } })
        : await walletC.call('POST', `/v1/channel-applications/${id}/${segment}`, body);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'invalid_transition', status: from });
  });
});

describe('refusals', () => {
  test('applying: invalid fields, unknown wallet, not an issuer, inactive wallet, suspended merchant', async () => {
    const merchant = await newMerchant(bank);
    const missing = await merchant.call('POST', '/v1/channel-applications', {
      businessDetails: { website: 'ftp://shop.example', note: '' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('invalid_request');
    expect(missing.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/businessDetails/note',
      '/businessDetails/website',
      '/walletId',
    ]);
    const badVolume = await apply(merchant, walletB.id, { expectedMonthlyVolume: 12.5 });
    expect(badVolume.status).toBe(400);
    expect(badVolume.body.code).toBe('invalid_request');
    expect(badVolume.body.errors).toEqual([
      { pointer: '/businessDetails/expectedMonthlyVolume', detail: expect.any(String) },
    ]);
    const noKey = await merchant.call(
      'POST',
      '/v1/channel-applications',
      { walletId: walletB.id },
      { omitIdempotencyKey: true },
    );
    expect(noKey.body.code).toBe('idempotency_key_missing');

    const unknown = await apply(merchant, 'par_doesnotexist');
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('wallet_not_found');
    const notIssuer = await apply(merchant, bank.id);
    expect(notIssuer.status).toBe(422);
    expect(notIssuer.body.code).toBe('not_an_issuer');
    const pendingWallet = await createParticipant(hub, { name: 'Pending Wallet', roles: ['issuer'] }, false);
    const notActive = await apply(merchant, pendingWallet.id);
    expect(notActive.status).toBe(422);
    expect(notActive.body.code).toBe('participant_not_active');
    const suspendedWallet = await createParticipant(hub, { name: 'Suspended Wallet', roles: ['issuer'] });
    await operator('POST', `/v1/participants/${suspendedWallet.id}/suspend`, { reason: 'audit' });
    expect((await apply(merchant, suspendedWallet.id)).body.code).toBe('participant_not_active');

    await bank.call('POST', `/v1/merchants/${merchant.id}/suspend`);
    const suspendedMerchant = await apply(merchant, walletB.id);
    expect(suspendedMerchant.status).toBe(422);
    expect(suspendedMerchant.body.code).toBe('merchant_suspended');
  });

  test('deciding: a suspended wallet may read but not decide; bodies are checked', async () => {
    const wallet = await createParticipant(hub, { name: 'Soon Suspended', roles: ['issuer'] });
    const merchant = await newMerchant(bank);
    const applied = await apply(merchant, wallet.id);
    const noReason = await wallet.call('POST', `/v1/channel-applications/${applied.body.id}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('invalid_request');
    expect(noReason.body.errors).toEqual([{ pointer: '/reason', detail: 'is required' }]);
    await operator('POST', `/v1/participants/${wallet.id}/suspend`, { reason: 'audit' });
    const read = await wallet.call('GET', `/v1/channel-applications/${applied.body.id}`);
    expect(read.status).toBe(200);
    const decide = await wallet.call('POST', `/v1/channel-applications/${applied.body.id}/approve`);
    expect(decide.status).toBe(403);
    expect(decide.body.code).toBe('participant_suspended');
  });

  test('one live application per merchant and wallet, also when requests race', async () => {
    const merchant = await newMerchant(bank);
    const answers = await Promise.all(Array.from({ length: 8 }, () => apply(merchant, walletB.id)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 201);
    expect(
      answers.filter((answer) => answer.status === 409).every((answer) => answer.body.existingId === winner?.body.id),
    ).toBe(true);
  });

  test('an application replays for the same Idempotency-Key', async () => {
    const merchant = await newMerchant(bank);
    const first = await merchant.call(
      'POST',
      '/v1/channel-applications',
      { walletId: walletC.id },
      { idempotencyKey: 'apply-once' },
    );
    const again = await merchant.call(
      'POST',
      '/v1/channel-applications',
      { walletId: walletC.id },
      { idempotencyKey: 'apply-once' },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('visibility', () => {
  test('a wallet sees only applications addressed to it; a merchant only its own; the operator all', async () => {
    const merchant = await newMerchant(bank);
    const other = await newMerchant(bank);
    const toB = await apply(merchant, walletB.id);
    const toC = await apply(other, walletC.id);

    const cReadsB = await walletC.call('GET', `/v1/channel-applications/${toB.body.id}`);
    expect(cReadsB.status).toBe(404);
    expect(cReadsB.body.code).toBe('not_found');
    const cDecidesB = await walletC.call('POST', `/v1/channel-applications/${toB.body.id}/approve`);
    expect(cDecidesB.status).toBe(404);
    expect(cDecidesB.body.code).toBe('not_found');
    const cList = await walletC.call('GET', '/v1/channel-applications?limit=100');
    expect(cList.body.data.every((channel: { walletId: string }) => channel.walletId === walletC.id)).toBe(true);
    const cAsksForB = await walletC.call('GET', `/v1/channel-applications?walletId=${walletB.id}`);
    expect(cAsksForB.body.data).toEqual([]);

    const otherReads = await other.call('GET', `/v1/channel-applications/${toB.body.id}`);
    expect(otherReads.status).toBe(404);
    expect(otherReads.body.code).toBe('not_found');
    const otherAnswers = await other.call('PATCH', `/v1/channel-applications/${toB.body.id}`, {
      businessDetails: { note: 'x' },
    });
    expect(otherAnswers.status).toBe(404);
    expect(otherAnswers.body.code).toBe('not_found');
    const otherList = await other.call('GET', '/v1/channel-applications?limit=100');
    expect(otherList.body.data.map((channel: { id: string }) => channel.id)).toEqual([toC.body.id]);

    const all = await operator('GET', '/v1/channel-applications?limit=100');
    const ids = all.body.data.map((channel: { id: string }) => channel.id);
    expect(ids).toEqual(expect.arrayContaining([toB.body.id, toC.body.id]));
    const page = await operator('GET', `/v1/channel-applications?limit=1&merchantId=${merchant.id}`);
    expect(page.body).toEqual({ data: [expect.objectContaining({ id: toB.body.id })], nextCursor: null });
  });

  test('the merchant answers, the wallet decides: nobody else', async () => {
    const merchant = await newMerchant(bank);
    const applied = await apply(merchant, walletB.id);
    const merchantApproves = await merchant.call('POST', `/v1/channel-applications/${applied.body.id}/approve`);
    expect(merchantApproves.status).toBe(403);
    expect(merchantApproves.body.code).toBe('forbidden');
    const walletAnswers = await walletB.call('PATCH', `/v1/channel-applications/${applied.body.id}`, {
      businessDetails: { note: 'x' },
    });
    expect(walletAnswers.status).toBe(403);
    expect(walletAnswers.body.code).toBe('forbidden');
    const operatorApplies = await operator('POST', '/v1/channel-applications', { walletId: walletB.id });
    expect(operatorApplies.status).toBe(403);
    expect(operatorApplies.body.code).toBe('forbidden');
  });
});
