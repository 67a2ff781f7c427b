import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateEd25519KeyPair, idempotencyLockMs, publicKeyToJwk } from './http/index.ts';
import {
  type ApiResponse,
  type Receiver,
  type TestHub,
  type TestParticipant,
  bearerClient,
  failAnswerStorage,
  signedReply,
  startReceiver,
  startTestHub,
} from './testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from './testing/world.ts';

/**
 * Every creating or money-moving POST, with the database refusing to store
 * its answer: the state a process killed between the commit of its effect
 * and the storing of its answer leaves. The first request still answers with
 * its effect (never a 5xx), and a retry with the same key, sent after the
 * crashed request's lock ran out, replays that answer and makes nothing new.
 */
const deadlineMs = 1_000;
const walletPrefix = '628';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let acquirer: TestParticipant;
let wallet: TestParticipant;
let walletApp: Receiver;
let merchant: TestMerchant;
/** How the wallet answers an authorization, by payment code: at once, slowly, or too late for the deadline. */
const lateCodes = new Set<string>();
const slowCodes = new Set<string>();
const slowAnswerMs = 600;
let keyCounter = 0;
let codeCounter = 0;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

beforeAll(async () => {
  hub = await startTestHub({ config: { posAuthorizationDeadlineMs: deadlineMs } });
  operator = bearerClient(hub, hub.operatorToken);
  walletApp = await startReceiver(hub.clock, async (request) => {
    if (!request.path.endsWith('/authorizations')) return 200;
    const asked = JSON.parse(request.body);
    if (lateCodes.has(asked.paymentCode)) await sleep(deadlineMs * 2);
    if (slowCodes.has(asked.paymentCode)) await sleep(slowAnswerMs);
    return signedReply(wallet, hub.clock, {
      status: 200,
      body: { authorizationId: asked.authorizationId, decision: 'approved', amount: asked.amount, currency: 'CNY' },
    });
  });
  acquirer = await createWallet(hub, 'Once Acquirer', { roles: ['issuer', 'acquirer'] });
  wallet = await createWallet(hub, 'Once Wallet', {
    callbackUrl: `${walletApp.url}/lintas`,
    paymentCodePrefixes: [walletPrefix],
  });
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, wallet);
});
afterAll(async () => {
  await hub?.stop();
  await walletApp?.close();
});

/** Sends a request whose answer cannot be stored, then its retry once the first one's lock has run out. */
async function withLostAnswer(send: (key: string) => Promise<ApiResponse>) {
  keyCounter += 1;
  const key = `lost-answer-${keyCounter}`;
  const lift = await failAnswerStorage(hub);
  try {
    const first = await send(key);
    hub.clock.advanceMs(idempotencyLockMs + 1_000);
    const retry = await send(key);
    return { first, retry };
  } finally {
    await lift();
  }
}

function expectReplayed(answers: { first: ApiResponse; retry: ApiResponse }, status: number): void {
  const { first, retry } = answers;
  expect(first.status, first.text).toBe(status);
  expect(retry.status, retry.text).toBe(status);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(retry.body).toEqual(first.body);
}

async function countRows(table: string, column: string, value: string): Promise<number> {
  const db = hub.ctx.db.kysely as any;
  const row = await db.selectFrom(table).select(db.fn.countAll().as('n')).where(column, '=', value).executeTakeFirst();
  return Number(row.n);
}

function freshCode(): string {
  codeCounter += 1;
  return `${walletPrefix}${String(codeCounter).padStart(13, '0')}`;
}

async function paidTransfer(): Promise<{ id: string; amount: number; payerRef: string }> {
  const checkout = await createCheckout(merchant);
  const paid = await payCheckoutByQr(hub, checkout, wallet, `paid-${keyCounter}-${checkout.id}`);
  expect(paid.status, paid.text).toBe(201);
  return paid.body;
}

async function unknownCharge(): Promise<string> {
  const code = freshCode();
  lateCodes.add(code);
  const charged = await merchant.call('POST', '/v1/pos/charges', {
    paymentCode: code,
    amount: 700,
    currency: 'CNY',
    reference: `late-${code}`,
  });
  expect(charged.status, charged.text).toBe(202);
  return charged.body.id;
}

describe('a lost answer is rebuilt from its effect, once, on every idempotent route', () => {
  test('POST /v1/participants', async () => {
    const answers = await withLostAnswer((idempotencyKey) =>
      operator(
        'POST',
        '/v1/participants',
        { name: 'Lost Answer Pay', roles: ['issuer'], currencies: ['CNY'], callbackUrl: 'https://w.example/cb' },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(await countRows('participants', 'name', 'Lost Answer Pay')).toBe(1);
  });

  test('POST /v1/participants/:id/keys', async () => {
    const pair = generateEd25519KeyPair();
    const kid = 'lost-answer-key';
    const answers = await withLostAnswer((idempotencyKey) =>
      operator(
        'POST',
        `/v1/participants/${wallet.id}/keys`,
        { kid, jwk: publicKeyToJwk(pair.publicKey, kid) },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(await countRows('participant_keys', 'kid', kid)).toBe(1);
  });

  test('POST /v1/merchants keeps the secret key it showed once', async () => {
    const shop = { name: 'Lost Answer Shop', mcc: '5411', city: 'Shanghai', country: 'CN', currency: 'CNY' };
    const answers = await withLostAnswer((idempotencyKey) =>
      acquirer.call('POST', '/v1/merchants', shop, { idempotencyKey }),
    );
    expectReplayed(answers, 201);
    expect(answers.retry.body.secretKey).toMatch(/^sk_/);
    expect(await countRows('merchants', 'name', 'Lost Answer Shop')).toBe(1);
    expect((await bearerClient(hub, answers.retry.body.secretKey)('GET', '/v1/merchant')).status).toBe(200);
  });

  test('POST /v1/merchants/:id/rotate-key', async () => {
    const shop = await createMerchant(hub, acquirer, { name: 'Rotating Shop' });
    const answers = await withLostAnswer((idempotencyKey) =>
      acquirer.call('POST', `/v1/merchants/${shop.id}/rotate-key`, undefined, { idempotencyKey }),
    );
    expectReplayed(answers, 200);
    expect((await bearerClient(hub, answers.retry.body.secretKey)('GET', '/v1/merchant')).status).toBe(200);
  });

  test('POST /v1/channel-applications', async () => {
    const applied = await createWallet(hub, 'Applied Wallet');
    const answers = await withLostAnswer((idempotencyKey) =>
      merchant.call('POST', '/v1/channel-applications', { walletId: applied.id }, { idempotencyKey }),
    );
    expectReplayed(answers, 201);
    expect(await countRows('channels', 'wallet_id', applied.id)).toBe(1);
  });

  test('POST /v1/webhook-endpoints and its rotate-secret keep the secret they showed once', async () => {
    const created = await withLostAnswer((idempotencyKey) =>
      merchant.call(
        'POST',
        '/v1/webhook-endpoints',
        { url: `${walletApp.url}/hooks`, events: ['*'] },
        { idempotencyKey },
      ),
    );
    expectReplayed(created, 201);
    expect(created.retry.body.secret).toMatch(/^whsec_/);
    expect(await countRows('webhook_endpoints', 'merchant_id', merchant.id)).toBe(1);
    const rotated = await withLostAnswer((idempotencyKey) =>
      merchant.call('POST', `/v1/webhook-endpoints/${created.first.body.id}/rotate-secret`, undefined, {
        idempotencyKey,
      }),
    );
    expectReplayed(rotated, 200);
    expect(rotated.retry.body.secret).not.toBe(created.first.body.secret);
  });

  test('POST /v1/checkouts keeps its client secret (no reference_in_use, no second checkout)', async () => {
    const body = {
      amount: 2_500,
      currency: 'CNY',
      reference: 'lost-answer-order',
      buyerId: 'buyer-lost',
      lines: [{ kind: 'product', name: 'Tea', quantity: 1, unitAmount: 2_500 }],
    };
    const answers = await withLostAnswer((idempotencyKey) =>
      merchant.call('POST', '/v1/checkouts', body, { idempotencyKey }),
    );
    expectReplayed(answers, 201);
    expect(await countRows('checkouts', 'reference', 'lost-answer-order')).toBe(1);
    const asBuyer = buyerOf(hub, answers.retry.body);
    expect((await asBuyer('GET', `/v1/checkouts/${answers.retry.body.id}`)).status).toBe(200);
  });

  test('POST /v1/checkouts/:id/attempts', async () => {
    const checkout = await createCheckout(merchant);
    const answers = await withLostAnswer((idempotencyKey) =>
      buyerOf(hub, checkout)(
        'POST',
        `/v1/checkouts/${checkout.id}/attempts`,
        { walletId: wallet.id, flow: 'qr' },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(await countRows('checkout_attempts', 'checkout_id', checkout.id)).toBe(1);
  });

  test('POST /v1/transfers', async () => {
    const checkout = await createCheckout(merchant);
    const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: wallet.id,
      flow: 'qr',
    });
    const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: attempt.body.qrPayload });
    const answers = await withLostAnswer((idempotencyKey) =>
      wallet.call(
        'POST',
        '/v1/transfers',
        {
          paymentToken: resolved.body.paymentToken,
          amount: resolved.body.amount,
          currency: 'CNY',
          payer: { ref: `lost-answer-${checkout.id}` },
        },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(await countRows('transfers', 'payer_ref', `lost-answer-${checkout.id}`)).toBe(1);
  });

  test('POST /v1/refunds: 1000 then 4000 of a payment refund 5000, not more', async () => {
    const payment = await paidTransfer();
    for (const amount of [1_000, 4_000]) {
      const answers = await withLostAnswer((idempotencyKey) =>
        merchant.call('POST', '/v1/refunds', { transferId: payment.id, amount, reason: 'lost' }, { idempotencyKey }),
      );
      expectReplayed(answers, 201);
    }
    const refunds = await merchant.call('GET', `/v1/refunds?transferId=${payment.id}`);
    expect(refunds.body.data.map((refund: { amount: number }) => refund.amount).sort()).toEqual([1_000, 4_000]);
  });

  test('POST /v1/disputes and /v1/disputes/{id}/accept: one dispute, one chargeback', async () => {
    const payment = await paidTransfer();
    const body = { transferId: payment.id, reason: 'not_received', amount: 1_000, note: 'lost' };
    const raised = await withLostAnswer((idempotencyKey) =>
      wallet.call('POST', '/v1/disputes', body, { idempotencyKey }),
    );
    expectReplayed(raised, 201);
    expect(await countRows('disputes', 'payment_transfer_id', payment.id)).toBe(1);
    const path = `/v1/disputes/${raised.first.body.id}/accept`;
    const accepted = await withLostAnswer((idempotencyKey) => merchant.call('POST', path, {}, { idempotencyKey }));
    expectReplayed(accepted, 200);
    const chargebacks = await hub.ctx.db.kysely
      .selectFrom('transfers')
      .select('id')
      .where('payment_transfer_id', '=', payment.id)
      .where('kind', '=', 'chargeback')
      .execute();
    expect(chargebacks.map((row) => row.id)).toEqual([accepted.first.body.chargebackTransferId]);
  });

  test('POST /v1/pos/qr-codes', async () => {
    const answers = await withLostAnswer((idempotencyKey) =>
      merchant.call(
        'POST',
        '/v1/pos/qr-codes',
        { amount: 900, currency: 'CNY', reference: 'T-LOST' },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(await countRows('till_qr_codes', 'reference', 'T-LOST')).toBe(1);
  });

  test('POST /v1/pos/charges', async () => {
    const code = freshCode();
    const answers = await withLostAnswer((idempotencyKey) =>
      merchant.call(
        'POST',
        '/v1/pos/charges',
        { paymentCode: code, amount: 800, currency: 'CNY', reference: 'sale-lost' },
        { idempotencyKey },
      ),
    );
    expectReplayed(answers, 201);
    expect(answers.retry.body.status).toBe('succeeded');
    expect(await countRows('pos_charges', 'reference', 'sale-lost')).toBe(1);
  });

  test('POST /v1/pos/charges/:id/reverse', async () => {
    const chargeId = await unknownCharge();
    const answers = await withLostAnswer((idempotencyKey) =>
      merchant.call('POST', `/v1/pos/charges/${chargeId}/reverse`, undefined, { idempotencyKey }),
    );
    expectReplayed(answers, 200);
    expect(answers.retry.body.status).toBe('reversed');
  });

  test('POST /v1/pos/charges/:id/authorization', async () => {
    const chargeId = await unknownCharge();
    const answers = await withLostAnswer((idempotencyKey) =>
      wallet.call('POST', `/v1/pos/charges/${chargeId}/authorization`, { decision: 'approved' }, { idempotencyKey }),
    );
    expectReplayed(answers, 200);
    expect(answers.retry.body.status).toBe('succeeded');
  });

  test('POST /v1/settlement-windows/close, /:id/settle and /v1/reconciliations', async () => {
    await paidTransfer();
    const closed = await withLostAnswer((idempotencyKey) =>
      operator('POST', '/v1/settlement-windows/close', undefined, { idempotencyKey }),
    );
    expectReplayed(closed, 200);
    const windows = await operator('GET', '/v1/settlement-windows?limit=100');
    expect(windows.body.data.filter((window: { status: string }) => window.status === 'open')).toHaveLength(1);
    expect(windows.body.data.filter((window: { status: string }) => window.status !== 'open')).toHaveLength(1);

    const windowId = closed.first.body.id;
    const statement = await wallet.call('GET', `/v1/statements?windowId=${windowId}&format=csv`);
    const reconciled = await withLostAnswer((idempotencyKey) =>
      wallet.call('POST', `/v1/reconciliations?windowId=${windowId}`, undefined, {
        idempotencyKey,
        rawBody: statement.text,
        headers: { 'content-type': 'text/csv' },
      }),
    );
    expectReplayed(reconciled, 201);
    expect(await countRows('reconciliations', 'window_id', windowId)).toBe(1);

    const settled = await withLostAnswer((idempotencyKey) =>
      operator('POST', `/v1/settlement-windows/${windowId}/settle`, undefined, { idempotencyKey }),
    );
    expectReplayed(settled, 200);
    expect(settled.retry.body.status).toBe('settled');
  });
});

describe('a retry that meets its first request still running waits for its answer', () => {
  test('a charge retried while the wallet is still deciding gets the first answer, not 409', async () => {
    const code = freshCode();
    slowCodes.add(code);
    const body = { paymentCode: code, amount: 650, currency: 'CNY', reference: 'sale-slow' };
    const options = { idempotencyKey: `slow-${code}` };
    const first = merchant.call('POST', '/v1/pos/charges', body, options);
    await sleep(slowAnswerMs / 4);
    const retry = await merchant.call('POST', '/v1/pos/charges', body, options);
    const answered = await first;
    expect(answered.status, answered.text).toBe(201);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(answered.text);
    expect(await countRows('pos_charges', 'reference', 'sale-slow')).toBe(1);
  });
});

describe('an unknown answer is settled by looking the effect up, not by guessing', () => {
  test('GET /v1/refunds?idempotencyKey= finds the refund a key made, for its merchant only', async () => {
    const payment = await paidTransfer();
    const key = `refund-lookup-${payment.id}`;
    const made = await merchant.call(
      'POST',
      '/v1/refunds',
      { transferId: payment.id, amount: 300, reason: 'lookup' },
      { idempotencyKey: key },
    );
    expect(made.status, made.text).toBe(201);
    const found = await merchant.call('GET', `/v1/refunds?idempotencyKey=${key}`);
    expect(found.body).toEqual({ data: [made.body], nextCursor: null });
    expect((await merchant.call('GET', '/v1/refunds?idempotencyKey=never-sent')).body.data).toEqual([]);
    const other = await createMerchant(hub, acquirer, { name: 'Other Shop' });
    expect((await other.call('GET', `/v1/refunds?idempotencyKey=${key}`)).body.data).toEqual([]);
  });

  test('GET /v1/transfers?payerRef= finds the transfer a payer.ref made', async () => {
    const payment = await paidTransfer();
    const found = await wallet.call('GET', `/v1/transfers?payerRef=${encodeURIComponent(payment.payerRef)}`);
    expect(found.body.data.map((transfer: { id: string }) => transfer.id)).toEqual([payment.id]);
  });
});
