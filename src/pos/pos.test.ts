import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ReceivedRequest,
  type Receiver,
  type Reply,
  type TestHub,
  type TestParticipant,
  bearerClient,
  fetchHubKeys,
  signedReply,
  startReceiver,
  startTestHub,
  verifyCallback,
  verifyWebhook,
  ledgerCheckOf,
} from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet } from '../testing/world.ts';

/**
 * Payment codes at the till over real HTTP: a real wallet (a node:http
 * receiver) answers the hub's signed authorization calls as each test
 * scripts, and verifies every call with the reference RFC 9421 verifier
 * against the keys the hub publishes. The hub waits 1 s for an answer
 * (real time); the unknown timeout (60 s) is driven on the hub's clock.
 */
const deadlineMs = 1_000;
const unknownTimeoutMs = 60_000;
const issuerCap = 50_000;
const walletPrefix = '627';

/** A second wallet behind the same receiver, at /idle. */
let idle: TestParticipant | undefined;

type Behaviour =
  | 'approve'
  | 'decline'
  | 'approve_after_deadline'
  | 'never_answer'
  | 'answer_another_amount'
  | 'approve_unsigned'
  | 'approve_signed_by_another'
  | 'approve_tampered';

let hub: TestHub;
let wallet: Receiver;
let webhooks: Receiver;
let webhookSecret: string;
let hubKeys: Map<string, KeyObject>;
let issuer: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
const behaviours = new Map<string, Behaviour>();
/** Every signed call the wallet received, with the reference verifier's verdict. */
const verdicts: { path: string; ok: boolean }[] = [];

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function walletAnswers(request: ReceivedRequest): Promise<number | Reply> {
  const verified = verifyCallback(hubKeys, request).ok;
  verdicts.push({ path: request.path, ok: verified });
  if (!verified) return 401;
  if (request.path.endsWith('/events')) return 200;
  const asked = JSON.parse(request.body);
  const answer = {
    authorizationId: asked.authorizationId,
    decision: 'approved',
    amount: asked.amount,
    currency: asked.currency,
  };
  // Each wallet behind this receiver signs with its own key.
  const signer = request.path.startsWith('/idle/') && idle ? idle : issuer;
  const signed = (reply: { status: number; body: unknown }) => signedReply(signer, hub.clock, reply);
  switch (behaviours.get(asked.paymentCode) ?? 'approve') {
    case 'approve':
      return signed({ status: 200, body: answer });
    case 'decline':
      return signed({ status: 200, body: { ...answer, decision: 'declined', reason: 'insufficient funds' } });
    case 'approve_after_deadline':
      await sleep(deadlineMs + 500);
      return signed({ status: 200, body: answer });
    case 'never_answer':
      await sleep(deadlineMs * 3);
      return 504;
    case 'answer_another_amount':
      return signed({ status: 200, body: { ...answer, amount: asked.amount + 1 } });
    case 'approve_unsigned':
      return { status: 200, body: answer };
    case 'approve_signed_by_another':
      return signedReply(acquirer, hub.clock, { status: 200, body: answer });
    case 'approve_tampered': {
      const declined = signed({ status: 200, body: { ...answer, decision: 'declined' } });
      return { ...declined, text: JSON.stringify(answer) };
    }
  }
}

let codeCounter = 0;
/** A fresh code of the wallet: its prefix, then digits the wallet would make, 16 in all. */
function freshCode(behaviour: Behaviour = 'approve'): string {
  codeCounter += 1;
  const code = `${walletPrefix}${String(Date.now() % 1e6).padStart(6, '0')}${String(codeCounter).padStart(7, '0')}`;
  behaviours.set(code, behaviour);
  return code;
}

let referenceCounter = 0;
function charge(
  paymentCode: string,
  amount: number,
  options: { idempotencyKey?: string; reference?: string; as?: TestMerchant } = {},
) {
  referenceCounter += 1;
  const body = { paymentCode, amount, currency: 'CNY', reference: options.reference ?? `sale-${referenceCounter}` };
  return (options.as ?? merchant).call(
    'POST',
    '/v1/pos/charges',
    body,
    options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {},
  );
}

function authorizationCallsFor(paymentCode: string): ReceivedRequest[] {
  return wallet.requests.filter(
    (request) => request.path.endsWith('/authorizations') && JSON.parse(request.body).paymentCode === paymentCode,
  );
}

function eventsToWallet(type: string): any[] {
  return wallet.requests
    .filter((request) => request.path.endsWith('/events'))
    .map((request) => JSON.parse(request.body))
    .filter((event) => event.type === type);
}

// ---------------------------------------------------------------- the hand-kept ledger

/**
 * What GET /v1/positions must show for the two participants, kept by hand
 * step by step. No fee schedule is set, so every fee is 0: an approved
 * charge of A moves the issuer −A and the acquirer +A; a pending or unknown
 * one reserves A of the issuer's headroom.
 */
const expected = { issuerPosition: 0, issuerReserved: 0, acquirerPosition: 0 };

async function ledgerNow() {
  const response = await bearerClient(hub, hub.operatorToken)('GET', '/v1/positions?currency=CNY&limit=100');
  expect(response.status, response.text).toBe(200);
  const row = (id: string) =>
    response.body.data.find((position: { participantId: string }) => position.participantId === id) ?? {
      position: 0,
      reserved: 0,
      headroom: undefined,
    };
  return {
    issuerPosition: row(issuer.id).position,
    issuerReserved: row(issuer.id).reserved,
    acquirerPosition: row(acquirer.id).position,
    issuerHeadroom: row(issuer.id).headroom as number | undefined,
  };
}

async function expectLedger(): Promise<void> {
  const now = await ledgerNow();
  expect({
    issuerPosition: now.issuerPosition,
    issuerReserved: now.issuerReserved,
    acquirerPosition: now.acquirerPosition,
  }).toEqual(expected);
  if (now.issuerHeadroom !== undefined)
    expect(now.issuerHeadroom).toBe(issuerCap + expected.issuerPosition - expected.issuerReserved);
}

function approved(amount: number): void {
  expected.issuerPosition -= amount;
  expected.acquirerPosition += amount;
}

// ---------------------------------------------------------------- the world

beforeAll(async () => {
  hub = await startTestHub({
    config: { posAuthorizationDeadlineMs: deadlineMs, posUnknownTimeoutSeconds: unknownTimeoutMs / 1000 },
  });
  hubKeys = await fetchHubKeys(hub);
  wallet = await startReceiver(hub.clock, walletAnswers);
  webhooks = await startReceiver(hub.clock);
  acquirer = await createWallet(hub, 'Acquirer Pay', { roles: ['issuer', 'acquirer'] });
  issuer = await createWallet(hub, 'Code Wallet', {
    callbackUrl: `${wallet.url}/lintas`,
    paymentCodePrefixes: [walletPrefix],
    netDebitCaps: { CNY: issuerCap },
  });
  merchant = await createMerchant(hub, acquirer, { name: 'Kedai Kopi', mcc: '5814', city: 'Bandung' });
  const endpoint = await merchant.call('POST', '/v1/webhook-endpoints', { url: webhooks.url, events: ['*'] });
  expect(endpoint.status, endpoint.text).toBe(201);
  webhookSecret = endpoint.body.secret;
});

afterAll(async () => {
  await hub?.stop();
  await wallet?.close();
  await webhooks?.close();
});

describe('payment codes at the till', () => {
  test(
    'an approved code: 201 succeeded with the transfer and receipt; the wallet was asked once, signed, with the ' +
      'deadline',
    async () => {
      const code = freshCode('approve');
      const response = await charge(code, 12_500, { reference: 'table-7' });
      expect(response.status, response.text).toBe(201);
      expect(response.body).toMatchObject({
        status: 'succeeded',
        amount: 12_500,
        currency: 'CNY',
        reference: 'table-7',
        walletId: issuer.id,
        paymentCodeLast4: code.slice(-4),
      });
      expect(response.body.id).toMatch(/^chg_/);
      expect(response.body.transferId).toMatch(/^trf_/);
      expect(response.body.receiptNumber).toMatch(/^\d{12}$/);
      approved(12_500);
      await expectLedger();

      const [asked, ...more] = authorizationCallsFor(code);
      expect(more).toEqual([]);
      expect(asked?.url).toBe(`${wallet.url}/lintas/authorizations`);
      expect(asked?.headers['idempotency-key']).toBe(response.body.id);
      expect(JSON.parse(asked!.body)).toEqual({
        authorizationId: response.body.id,
        paymentCode: code,
        amount: 12_500,
        currency: 'CNY',
        merchant: { id: merchant.id, name: 'Kedai Kopi', mcc: '5814', city: 'Bandung' },
        deadline: new Date(hub.clock.now().getTime() + deadlineMs).toISOString(),
      });

      const payment = await merchant.call('GET', `/v1/payments/${response.body.transferId}`);
      expect(payment.body).toMatchObject({
        source: 'payment_code',
        status: 'succeeded',
        amount: 12_500,
        receiptNumber: response.body.receiptNumber,
      });
      const listed = await merchant.call('GET', '/v1/payments?source=payment_code');
      expect(listed.body.data.map((row: { id: string }) => row.id)).toContain(response.body.transferId);
      const polled = await merchant.call('GET', `/v1/pos/charges/${response.body.id}`);
      expect(polled.body).toEqual(response.body);
    },
  );

  test(
    "a declined code: 402 payment_declined with the wallet's reason and the charge id; nothing reserved or " + 'owed',
    async () => {
      const code = freshCode('decline');
      const response = await charge(code, 3_000);
      expect(response.status, response.text).toBe(402);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'payment_declined', reason: 'insufficient funds' });
      expect(response.body.chargeId).toMatch(/^chg_/);
      await expectLedger();
      const polled = await merchant.call('GET', `/v1/pos/charges/${response.body.chargeId}`);
      expect(polled.body).toMatchObject({
        status: 'declined',
        declineReason: 'insufficient funds',
        transferId: null,
        receiptNumber: null,
      });
    },
  );

  test(
    'a wallet that answers after the deadline: 202 unknown with the amount reserved; its later approval ' +
      'commits it',
    async () => {
      const code = freshCode('approve_after_deadline');
      const response = await charge(code, 4_000);
      // The hub did not wait for the wallet's answer: had it waited, the approval would have made this a 201.
      // That it gave up by its deadline is read on the hub's own clock, not on how fast this machine is.
      expect(response.status, response.text).toBe(202);
      expect(response.body).toMatchObject({
        status: 'unknown',
        transferId: null,
        receiptNumber: null,
        unknownAt: hub.clock.now().toISOString(),
        deadline: new Date(hub.clock.now().getTime() + deadlineMs).toISOString(),
      });
      expect(Date.parse(response.body.unknownAt)).toBeLessThanOrEqual(Date.parse(response.body.deadline));
      expect(authorizationCallsFor(code)).toHaveLength(1);
      expected.issuerReserved += 4_000;
      await expectLedger();

      await sleep(deadlineMs); // the wallet's answer arrives, too late, and is not read
      expect((await merchant.call('GET', `/v1/pos/charges/${response.body.id}`)).body.status).toBe('unknown');

      const confirmed = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
        decision: 'approved',
      });
      expect(confirmed.status, confirmed.text).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'succeeded', succeededAt: hub.clock.now().toISOString() });
      expect(confirmed.body.receiptNumber).toMatch(/^\d{12}$/);
      expected.issuerReserved -= 4_000;
      approved(4_000);
      await expectLedger();

      const again = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
        decision: 'approved',
      });
      expect(again.status).toBe(200);
      const otherWay = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
        decision: 'declined',
      });
      expect(otherWay.body).toMatchObject({ code: 'invalid_transition', chargeStatus: 'succeeded' });
      await expectLedger();
    },
  );

  test("a merchant suspended while its charge is unknown: the wallet's approval still commits it", async () => {
    const shop = await createMerchant(hub, acquirer, { name: 'Kedai Tutup' });
    const response = await charge(freshCode('approve_after_deadline'), 2_000, { as: shop });
    expect(response.status, response.text).toBe(202);
    expected.issuerReserved += 2_000;
    expect((await acquirer.call('POST', `/v1/merchants/${shop.id}/suspend`)).body.status).toBe('suspended');
    const confirmed = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
      decision: 'approved',
    });
    expect(confirmed.body).toMatchObject({ status: 'succeeded' });
    expected.issuerReserved -= 2_000;
    approved(2_000);
    await expectLedger();
    const refused = await charge(freshCode('approve'), 2_000, { as: shop });
    expect(refused.body.code).toBe('merchant_suspended');
  });

  test(
    'a wallet that never answers: unknown, then reversed 60 s later; the wallet gets a verified ' +
      'authorization.reversed and a late approval is 409',
    async () => {
      const code = freshCode('never_answer');
      const response = await charge(code, 5_000);
      expect(response.status, response.text).toBe(202);
      expect(response.body.status).toBe('unknown');
      expected.issuerReserved += 5_000;
      await expectLedger();

      hub.clock.advanceMs(unknownTimeoutMs - 1_000);
      await hub.workers['pos-reversals']?.runOnce();
      expect((await merchant.call('GET', `/v1/pos/charges/${response.body.id}`)).body.status).toBe('unknown');
      await expectLedger();

      hub.clock.advanceMs(1_000);
      await hub.workers['pos-reversals']?.runOnce();
      const reversed = await merchant.call('GET', `/v1/pos/charges/${response.body.id}`);
      expect(reversed.body).toMatchObject({
        status: 'reversed',
        reversalReason: 'unknown_timeout',
        reversedAt: hub.clock.now().toISOString(),
      });
      expected.issuerReserved -= 5_000;
      await expectLedger();

      await hub.workers.deliveries?.runOnce();
      const [told, ...twice] = eventsToWallet('authorization.reversed').filter(
        (event) => event.data.authorizationId === response.body.id,
      );
      expect(twice).toEqual([]);
      expect(told.data).toMatchObject({
        paymentCode: code,
        amount: 5_000,
        currency: 'CNY',
        reason: 'unknown_timeout',
        merchant: { id: merchant.id },
      });
      expect(verdicts.filter((verdict) => verdict.path.endsWith('/events')).length).toBeGreaterThan(0);

      const late = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
        decision: 'approved',
      });
      expect(late.status, late.text).toBe(409);
      expect(late.body).toMatchObject({ code: 'charge_reversed', chargeId: response.body.id });
      await expectLedger();
    },
  );

  test('authorization.reversed is retried until the wallet answers 2xx', async () => {
    let eventAttempts = 0;
    const failing = await startReceiver(hub.clock, (request) => {
      if (request.path.endsWith('/authorizations')) return 503;
      eventAttempts += 1;
      return eventAttempts === 1 ? 503 : 200;
    });
    const flaky = await createWallet(hub, 'Flaky Wallet', { callbackUrl: failing.url, paymentCodePrefixes: ['6291'] });
    try {
      const response = await charge('6291000000000001', 700);
      expect(response.status, response.text).toBe(202); // its /authorizations answered 503
      hub.clock.advanceMs(unknownTimeoutMs);
      await hub.workers['pos-reversals']?.runOnce();
      await hub.workers.deliveries?.runOnce();
      hub.clock.advanceMs(60 * 60 * 1000);
      await hub.workers.deliveries?.runOnce();
      const reversedEvents = failing.requests
        .filter((request) => request.path.endsWith('/events'))
        .map((request) => JSON.parse(request.body));
      expect(reversedEvents.map((event) => event.type)).toEqual(['authorization.reversed', 'authorization.reversed']);
      expect(reversedEvents[0].id).toBe(reversedEvents[1].id);
      const delivered = await flaky.call('GET', `/v1/callback-deliveries?eventId=${reversedEvents[0].id}`);
      expect(delivered.body.data[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await failing.close();
    }
  });

  test.each([
    ['unsigned', 'approve_unsigned'],
    ["signed with another participant's key", 'approve_signed_by_another'],
    ['whose body is not the one signed', 'approve_tampered'],
  ] as const)('an approval %s is not taken: the charge stays unknown', async (_label, behaviour) => {
    const code = freshCode(behaviour);
    const response = await charge(code, 1_300);
    expect(response.status, response.text).toBe(202);
    expect(response.body).toMatchObject({ status: 'unknown', transferId: null });
    expected.issuerReserved += 1_300;
    await expectLedger();
    expect(authorizationCallsFor(code)).toHaveLength(1);
    const reversed = await merchant.call('POST', `/v1/pos/charges/${response.body.id}/reverse`);
    expect(reversed.status, reversed.text).toBe(200);
    expected.issuerReserved -= 1_300;
    await expectLedger();
  });

  test(
    'an answer for another amount counts as no answer; the till reverses the charge and a late decline meets ' +
      'charge_reversed',
    async () => {
      const code = freshCode('answer_another_amount');
      const response = await charge(code, 2_200);
      expect(response.status, response.text).toBe(202);
      expected.issuerReserved += 2_200;
      await expectLedger();

      const reversed = await merchant.call('POST', `/v1/pos/charges/${response.body.id}/reverse`);
      expect(reversed.status, reversed.text).toBe(200);
      expect(reversed.body).toMatchObject({ status: 'reversed', reversalReason: 'till_reversed' });
      expected.issuerReserved -= 2_200;
      await expectLedger();
      expect((await merchant.call('POST', `/v1/pos/charges/${response.body.id}/reverse`)).body.status).toBe('reversed');

      await hub.workers.deliveries?.runOnce();
      expect(
        eventsToWallet('authorization.reversed').some(
          (event) => event.data.authorizationId === response.body.id && event.data.reason === 'till_reversed',
        ),
      ).toBe(true);
      const late = await issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, {
        decision: 'declined',
        reason: 'too late',
      });
      expect(late.body).toMatchObject({ code: 'charge_reversed' });
    },
  );

  test(
    'the till reverses while the wallet is still being asked: the reversal wins and the charge request answers ' +
      '409 charge_reversed',
    async () => {
      const code = freshCode('never_answer');
      const pending = charge(code, 1_300, { reference: 'walked-away' });
      let listed: any[] = [];
      for (let polls = 0; listed.length === 0 && polls < 50; polls += 1) {
        await sleep(20);
        listed = (await merchant.call('GET', '/v1/pos/charges?reference=walked-away')).body.data;
      }
      expect(listed.map((row) => row.status)).toEqual(['pending']);
      expected.issuerReserved += 1_300;
      await expectLedger();
      const reversed = await merchant.call('POST', `/v1/pos/charges/${listed[0].id}/reverse`);
      expect(reversed.body).toMatchObject({ status: 'reversed', reversalReason: 'till_reversed', unknownAt: null });
      expected.issuerReserved -= 1_300;
      const answered = await pending;
      expect(answered.status, answered.text).toBe(409);
      expect(answered.body).toMatchObject({ code: 'charge_reversed', chargeId: listed[0].id });
      await expectLedger();
    },
  );

  test(
    'a succeeded charge cannot be reversed (it is refunded), and a refund of a code payment works like any ' + 'other',
    async () => {
      const code = freshCode('approve');
      const paid = await charge(code, 1_800);
      expect(paid.status).toBe(201);
      approved(1_800);
      const reverse = await merchant.call('POST', `/v1/pos/charges/${paid.body.id}/reverse`);
      expect(reverse.status).toBe(422);
      expect(reverse.body).toMatchObject({ code: 'invalid_transition', chargeStatus: 'succeeded' });
      const refund = await merchant.call('POST', '/v1/refunds', {
        transferId: paid.body.transferId,
        amount: 800,
        reason: 'one cup returned',
      });
      expect(refund.status, refund.text).toBe(201);
      expected.issuerPosition += 800;
      expected.acquirerPosition -= 800;
      await expectLedger();
    },
  );

  test('a reused code is refused with payment_code_used; a declined code may be charged again', async () => {
    const used = freshCode('approve');
    expect((await charge(used, 900)).status).toBe(201);
    approved(900);
    const reused = await charge(used, 950);
    expect(reused.status, reused.text).toBe(422);
    expect(reused.body).toMatchObject({ code: 'payment_code_used' });
    expect(authorizationCallsFor(used)).toHaveLength(1);

    const declinedOnce = freshCode('decline');
    expect(await charge(declinedOnce, 600)).toMatchObject({ status: 402, body: { code: 'payment_declined' } });
    behaviours.set(declinedOnce, 'approve');
    const second = await charge(declinedOnce, 600);
    expect(second.status, second.text).toBe(201);
    approved(600);
    await expectLedger();
  });

  test(
    'the same sale retried with a new Idempotency-Key answers the first charge; the same key replays byte for ' +
      'byte',
    async () => {
      const code = freshCode('approve');
      const first = await charge(code, 1_100, { reference: 'retry-1', idempotencyKey: 'till-7-sale-991' });
      expect(first.status).toBe(201);
      approved(1_100);
      const replay = await charge(code, 1_100, { reference: 'retry-1', idempotencyKey: 'till-7-sale-991' });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.text).toBe(first.text);
      const retried = await charge(code, 1_100, { reference: 'retry-1' });
      expect(retried.status).toBe(201);
      expect(retried.body.id).toBe(first.body.id);
      expect(authorizationCallsFor(code)).toHaveLength(1);
      await expectLedger();
    },
  );

  test('concurrent charges of one code: one is charged, the others are payment_code_used', async () => {
    const code = freshCode('approve');
    const answers = await Promise.all([1, 2, 3, 4].map((index) => charge(code, 500 + index)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422, 422, 422]);
    expect(
      answers.filter((answer) => answer.status === 422).every((answer) => answer.body.code === 'payment_code_used'),
    ).toBe(true);
    approved(answers.find((answer) => answer.status === 201)!.body.amount);
    await expectLedger();
  });

  test(
    'a late approval and the reversal worker at the same moment: exactly one wins, and the money follows the ' +
      'winner',
    async () => {
      const codes = [1, 2, 3, 4, 5, 6].map(() => freshCode('never_answer'));
      const charges = await Promise.all(codes.map((code) => charge(code, 300)));
      expect(charges.map((response) => response.body.status)).toEqual(Array(6).fill('unknown'));
      expected.issuerReserved += 6 * 300;
      await expectLedger();

      hub.clock.advanceMs(unknownTimeoutMs);
      const [approvals] = await Promise.all([
        Promise.all(
          charges.map((response) =>
            issuer.call('POST', `/v1/pos/charges/${response.body.id}/authorization`, { decision: 'approved' }),
          ),
        ),
        hub.workers['pos-reversals']?.runOnce(),
      ]);
      expected.issuerReserved -= 6 * 300;
      for (const [index, approval] of approvals.entries()) {
        const final = (await merchant.call('GET', `/v1/pos/charges/${charges[index]!.body.id}`)).body;
        if (approval.status === 200) {
          expect(final.status).toBe('succeeded');
          approved(300);
        } else {
          expect(approval.status, approval.text).toBe(409);
          expect(approval.body.code).toBe('charge_reversed');
          expect(final.status).toBe('reversed');
        }
      }
      await expectLedger();
    },
  );

  test(
    'who sees a charge: its merchant, wallet and acquirer and the operator; another merchant or wallet ' + 'gets 404',
    async () => {
      const code = freshCode('decline');
      const declined = await charge(code, 100);
      const id = declined.body.chargeId;
      const other = await createMerchant(hub, acquirer, { name: 'Other Shop' });
      const stranger = await createWallet(hub, 'Stranger Wallet');
      expect((await merchant.call('GET', `/v1/pos/charges/${id}`)).status).toBe(200);
      expect((await issuer.call('GET', `/v1/pos/charges/${id}`)).status).toBe(200);
      expect((await acquirer.call('GET', `/v1/pos/charges/${id}`)).status).toBe(200);
      expect((await bearerClient(hub, hub.operatorToken)('GET', `/v1/pos/charges/${id}`)).status).toBe(200);
      expect(await other.call('GET', `/v1/pos/charges/${id}`)).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect(await stranger.call('GET', `/v1/pos/charges/${id}`)).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect(await other.call('POST', `/v1/pos/charges/${id}/reverse`)).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect(
        await stranger.call('POST', `/v1/pos/charges/${id}/authorization`, { decision: 'approved' }),
      ).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      const byReference = await merchant.call('GET', '/v1/pos/charges?reference=table-7');
      expect(byReference.body.data.map((row: { reference: string }) => row.reference)).toEqual(['table-7']);
    },
  );

  test(
    'one that would pass the issuer cap: 402 limit_exceeded, the wallet is not asked, the code stays ' + 'unused',
    async () => {
      const { issuerHeadroom } = await ledgerNow();
      expect(issuerHeadroom).toBe(issuerCap + expected.issuerPosition - expected.issuerReserved);
      const code = freshCode('approve');
      const over = await charge(code, issuerHeadroom! + 1);
      expect(over.status, over.text).toBe(402);
      expect(over.body).toMatchObject({ code: 'limit_exceeded', participantId: issuer.id });
      expect(authorizationCallsFor(code)).toEqual([]);
      await expectLedger();

      const exactly = await charge(code, issuerHeadroom!);
      expect(exactly.status, exactly.text).toBe(201);
      approved(issuerHeadroom!);
      await expectLedger();
      expect((await ledgerNow()).issuerHeadroom).toBe(0);
      expect((await charge(freshCode('approve'), 1)).body.code).toBe('limit_exceeded');
      await expectLedger();
    },
  );

  test('refusals in the order they are checked: format, prefix, single use, wallet status, currency', async () => {
    idle = await createWallet(hub, 'Idle Wallet', {
      callbackUrl: `${wallet.url}/idle`,
      paymentCodePrefixes: ['6281'],
    });
    const usedCode = '6281000000000009';
    behaviours.set(usedCode, 'approve');
    expect((await charge(usedCode, 100)).status).toBe(201);
    expected.acquirerPosition += 100; // paid by the idle wallet, whose position this test does not follow
    await bearerClient(hub, hub.operatorToken)('POST', `/v1/participants/${idle.id}/suspend`, {
      reason: 'maintenance',
    });
    const rows: [string, Record<string, unknown>, number, string, string[]?][] = [
      [
        'a short code, a lowercase currency and no amount',
        { paymentCode: '62812345', currency: 'cny', amount: undefined },
        400,
        'invalid_request',
        ['/amount', '/currency', '/paymentCode'],
      ],
      [
        'a currency ISO 4217 does not know',
        { paymentCode: '6281000000000011', currency: 'XXY' },
        400,
        'invalid_request',
        ['/currency'],
      ],
      ['letters in the code', { paymentCode: '6281abcd00000001' }, 400, 'invalid_request', ['/paymentCode']],
      ['an unknown prefix', { paymentCode: '9990000000000001' }, 422, 'payment_code_unroutable'],
      ['a used code of a suspended wallet', { paymentCode: usedCode }, 422, 'payment_code_used'],
      ['a fresh code of a suspended wallet', { paymentCode: '6281000000000010' }, 422, 'participant_not_active'],
      [
        'a currency the wallet does not hold',
        { paymentCode: freshCode('approve'), currency: 'JPY' },
        422,
        'currency_not_supported',
      ],
    ];
    for (const [name, fields, status, code, pointers] of rows) {
      const response = await merchant.call('POST', '/v1/pos/charges', {
        paymentCode: '6270000000000000',
        amount: 100,
        currency: 'CNY',
        reference: 'refusals',
        ...fields,
      });
      expect(response.status, `${name}: ${response.text}`).toBe(status);
      expect(response.body.code, name).toBe(code);
      if (pointers)
        expect(
          [...new Set(response.body.errors.map((error: { pointer: string }) => error.pointer))].sort(),
          name,
        ).toEqual([...pointers].sort());
    }
    await expectLedger();
  });

  test(
    "the merchant's webhooks carry pos_charge.succeeded, declined, reversed and payment.succeeded, " + 'verified',
    async () => {
      await hub.workers.deliveries?.runOnce();
      const events = webhooks.requests.map(
        (request) => verifyWebhook(webhookSecret, request) as { type: string; data: any },
      );
      const types = new Set(events.map((event) => event.type));
      for (const type of ['pos_charge.succeeded', 'pos_charge.declined', 'pos_charge.reversed', 'payment.succeeded'])
        expect(types, type).toContain(type);
      const succeeded = events.find((event) => event.type === 'pos_charge.succeeded');
      expect(succeeded?.data.paymentCodeLast4).toMatch(/^\d{4}$/);
      expect(JSON.stringify(events.filter((event) => event.type.startsWith('pos_charge.')))).not.toMatch(
        new RegExp(`${walletPrefix}\\d{13}`),
      );
      const payment = events.find(
        (event) => event.type === 'payment.succeeded' && event.data.source === 'payment_code',
      );
      expect(payment?.data).toMatchObject({ walletId: issuer.id, status: 'succeeded' });
    },
  );

  test('every call the wallet received verified against GET /v1/hub/keys, and the ledger check passes', async () => {
    expect(verdicts.length).toBeGreaterThan(20);
    expect(verdicts.filter((verdict) => !verdict.ok)).toEqual([]);
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
