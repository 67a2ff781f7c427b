import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ledgerCheckOf } from '../testing/index.ts';
import { buyerOf, createCheckout } from '../testing/world.ts';
import { type BridgeWorld, connect, startBridgeWorld, stopBridgeWorld } from './world.test-support.ts';

/**
 * WeChat Pay through the bridge, end to end over real HTTP: the operator's
 * bridged wallet, the merchant's credentials proved by a signed test call,
 * then checkouts paid by QR (Native `code_url`) and by app switch (H5
 * `h5_url`), one whose notification is lost and found by the hub's query,
 * and one that expires (the wallet's order closed). The emulator verifies
 * every request's signature; the hub verifies every answer and notification.
 */
let world: BridgeWorld;
let channelId: string;

beforeAll(async () => {
  world = await startBridgeWorld();
});
afterAll(async () => {
  await stopBridgeWorld(world);
});

async function attempt(flow: 'qr' | 'app_switch', fields: Record<string, unknown> = {}) {
  const checkout = await createCheckout(world.merchant, fields);
  const made = await buyerOf(world.hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: world.wechat.id,
    flow,
  });
  expect(made.status, made.text).toBe(201);
  const order = world.emulator.orders.get(made.body.id);
  expect(order?.tradeState).toBe('NOTPAY');
  return { checkout, attempt: made.body, order: order! };
}

async function checkoutStatus(checkout: { id: string }) {
  return (await world.merchant.call('GET', `/v1/checkouts/${checkout.id}`)).body.status;
}

describe('a bridged wallet and its channel', () => {
  test('the operator registers WeChat Pay as a bridged wallet; a merchant offers it once its account is proved', async () => {
    expect(world.wechat.body.bridge).toMatchObject({ kind: 'wechatpay_v3', baseUrl: world.emulator.url });
    expect(world.wechat.body.callbackUrl).toBe(`${world.hub.url}/bridges/wechatpay_v3/${world.wechat.id}`);
    const wrong = { ...world.account, apiV3Key: world.account.apiV3Key, mchid: '1230000999' };
    const refused = await connect(world, wrong);
    expect(refused.given.status, refused.given.text).toBe(422);
    expect(refused.given.body).toMatchObject({ code: 'bridge_credentials_refused', walletCode: 'SIGN_ERROR' });
    const retried = await world.merchant.call(
      'PUT',
      `/v1/channel-applications/${refused.channelId}/bridge-credentials`,
      world.account,
    );
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body.status).toBe('approved');
    expect(retried.text).not.toContain(world.account.apiV3Key);
    expect(retried.text).not.toContain('PRIVATE KEY');
    channelId = refused.channelId;
    const wallets = await world.merchant.call('GET', '/v1/wallets');
    expect(wallets.body.data.find((wallet: { id: string }) => wallet.id === world.wechat.id)?.flows).toEqual([
      'app_switch',
      'qr',
    ]);
  });

  test('the acquirer-only or Alipay kinds are refused at registration, and bad platform keys', async () => {
    const bridge = {
      kind: 'alipay',
      baseUrl: world.emulator.url,
      platformKeys: [{ serial: 'S', publicKeyPem: 'x'.repeat(80) }],
    };
    const answer = await world.operator('POST', '/v1/participants', {
      name: 'Alipay',
      roles: ['issuer', 'acquirer'],
      currencies: ['CNY'],
      callbackUrl: `${world.emulator.url}/x`,
      bridge,
    });
    expect(answer.status).toBe(400);
    const pointers = answer.body.errors.map((error: { pointer: string }) => error.pointer);
    expect(pointers).toEqual(['/roles', '/bridge/kind', '/bridge/platformKeys/0/publicKeyPem']);
    const dollars = await world.operator('POST', '/v1/participants', {
      name: 'WeChat Pay USD',
      roles: ['issuer'],
      currencies: ['CNY', 'USD'],
      bridge: {
        ...bridge,
        kind: 'wechatpay_v3',
        platformKeys: [{ serial: 'S', publicKeyPem: world.emulator.platformPublicKeyPem }],
      },
    });
    expect(dollars.body.errors).toEqual([{ pointer: '/currencies', detail: 'a WeChat Pay bridge takes CNY only' }]);
  });
});

describe('checkouts paid through WeChat Pay', () => {
  test("by QR: the attempt is WeChat's code_url; the signed, encrypted notification commits the payment once", async () => {
    const { checkout, attempt: made, order } = await attempt('qr');
    expect(made.qrPayload).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(order).toMatchObject({
      kind: 'native',
      total: checkout.amount,
      notifyUrl: `${world.hub.url}/bridges/wechatpay_v3/${channelId}/notify`,
    });
    world.emulator.pay(order.outTradeNo);
    expect(await world.emulator.deliverDue()).toBe(1);
    expect(world.emulator.delivered.at(-1)).toMatchObject({ attempts: 1, status: 204 });
    expect(await checkoutStatus(checkout)).toBe('paid');
    const payments = await world.merchant.call('GET', '/v1/payments?limit=10');
    const paid = payments.body.data.filter((payment: { checkoutId: string }) => payment.checkoutId === checkout.id);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ walletId: world.wechat.id, amount: checkout.amount, currency: 'CNY' });
  });

  test('a notification sent again is acknowledged and changes nothing', async () => {
    const { checkout, order } = await attempt('qr');
    world.emulator.pay(order.outTradeNo);
    const queued = world.emulator.pending.at(-1)!;
    await world.emulator.deliverDue();
    const again = await fetch(queued.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...world.emulator.signedHeaders(queued.body) },
      body: queued.body,
    });
    expect(again.status).toBe(204);
    const payments = await world.merchant.call('GET', '/v1/payments?limit=100');
    expect(
      payments.body.data.filter((payment: { checkoutId: string }) => payment.checkoutId === checkout.id),
    ).toHaveLength(1);
  });

  test('a notification not signed by the platform key, or too old, is refused, and the wallet retries it', async () => {
    const { checkout, order } = await attempt('qr');
    world.emulator.pay(order.outTradeNo);
    const queued = world.emulator.pending.at(-1)!;
    const forged = await fetch(queued.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...world.emulator.signedHeaders(`${queued.body} `) },
      body: queued.body,
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('signature_invalid');
    const stale = world.emulator.signedHeaders(queued.body);
    world.hub.clock.advanceMs(301_000);
    const late = await fetch(queued.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stale },
      body: queued.body,
    });
    expect(((await late.json()) as { code: string }).code).toBe('bridge_clock_skew');
    expect(await checkoutStatus(checkout)).toBe('open');
    await world.emulator.deliverDue();
    expect(await checkoutStatus(checkout)).toBe('paid');
  });

  test("by app switch: the attempt is WeChat's H5 page; a first notification lost in transit is retried 15 s later", async () => {
    const { checkout, attempt: made, order } = await attempt('app_switch');
    expect(made.deepLink).toMatch(/^https:\/\/wx\.tenpay\.com\/cgi-bin\/mmpayweb-bin\/checkmweb\?prepay_id=wx/);
    expect(order.kind).toBe('h5');
    const prepay = world.emulator.requests.find((request) => request.body.includes(order.outTradeNo));
    expect(JSON.parse(prepay!.body).scene_info).toEqual({ payer_client_ip: '127.0.0.1', h5_info: { type: 'Wap' } });
    world.emulator.pay(order.outTradeNo);
    await world.emulator.deliverDue({ drop: true });
    expect(await checkoutStatus(checkout)).toBe('open');
    world.hub.clock.advanceMs(15_000);
    await world.emulator.deliverDue();
    expect(world.emulator.delivered.at(-1)).toMatchObject({ attempts: 2, status: 204 });
    expect(await checkoutStatus(checkout)).toBe('paid');
  });

  test('the notification never comes: the hub queries the order on its schedule and finds it paid', async () => {
    const { checkout, order } = await attempt('qr');
    world.emulator.pay(order.outTradeNo, { lost: true });
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(await checkoutStatus(checkout)).toBe('open');
    world.hub.clock.advanceMs(5_000);
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(await checkoutStatus(checkout)).toBe('paid');
    const queries = world.emulator.requests.filter(
      (request) => request.method === 'GET' && request.url.includes(order.outTradeNo),
    );
    expect(queries).toHaveLength(1);
  });

  test('an order still USERPAYING is asked again later, not closed', async () => {
    const { checkout, order } = await attempt('qr');
    world.emulator.userPaying(order.outTradeNo);
    world.hub.clock.advanceMs(5_000);
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(order.tradeState).toBe('NOTPAY');
    world.emulator.pay(order.outTradeNo, { lost: true });
    world.hub.clock.advanceMs(10_000);
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(await checkoutStatus(checkout)).toBe('paid');
  });

  test("a checkout that expires unpaid closes WeChat's order", async () => {
    const { checkout, order } = await attempt('qr', { expiresInSeconds: 60 });
    world.hub.clock.advanceMs(61_000);
    await world.hub.workers['checkout-expiry']!.runOnce();
    expect(await checkoutStatus(checkout)).toBe('expired');
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(order.tradeState).toBe('CLOSED');
    expect(() => world.emulator.pay(order.outTradeNo)).toThrow();
  });

  test('a canceled checkout closes its order too; the wallet failing first only delays it', async () => {
    const { checkout, order } = await attempt('app_switch');
    expect((await world.merchant.call('POST', `/v1/checkouts/${checkout.id}/cancel`)).status).toBe(200);
    world.emulator.failNext(2);
    world.hub.clock.advanceMs(5_000);
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(order.tradeState).toBe('NOTPAY');
    world.hub.clock.advanceMs(10_000);
    await world.hub.workers['bridge-orders']!.runOnce();
    expect(order.tradeState).toBe('CLOSED');
  });

  test('the wallet failing when the buyer asks: the attempt is refused with its error, and a retry opens a new order', async () => {
    const checkout = await createCheckout(world.merchant);
    world.emulator.failNext(1, 500, 'SYSTEM_ERROR');
    const made = await buyerOf(world.hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: world.wechat.id,
      flow: 'qr',
    });
    expect(made.status).toBe(502);
    expect(made.body).toMatchObject({ code: 'bridge_wallet_error' });
    const retried = await buyerOf(world.hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: world.wechat.id,
      flow: 'qr',
    });
    expect(retried.status, retried.text).toBe(201);
    expect(retried.body.qrPayload).toMatch(/^weixin:/);
  });

  test('a partial refund is carried out at WeChat Pay, and succeeds once the wallet says SUCCESS', async () => {
    const { checkout, order } = await attempt('qr');
    world.emulator.pay(order.outTradeNo);
    await world.emulator.deliverDue();
    const payments = await world.merchant.call('GET', '/v1/payments?limit=100');
    const payment = payments.body.data.find((one: { checkoutId: string }) => one.checkoutId === checkout.id);
    const refund = await world.merchant.call('POST', '/v1/refunds', {
      transferId: payment.id,
      amount: 5_000,
      reason: 'one tea back',
    });
    expect(refund.status, refund.text).toBe(201);
    expect(refund.body.status).toBe('pending');
    await world.hub.workers.deliveries!.runOnce();
    const atWallet = [...world.emulator.refunds.values()].find((one) => one.outTradeNo === order.outTradeNo);
    expect(atWallet).toMatchObject({ refund: 5_000, status: 'PROCESSING' });
    expect(order.tradeState).toBe('REFUND');
    await world.hub.workers['refund-confirmations']!.runOnce();
    expect((await world.merchant.call('GET', `/v1/refunds/${refund.body.id}`)).body.status).toBe('pending');
    world.emulator.settleRefund(atWallet!.outRefundNo);
    world.hub.clock.advanceMs(10 * 60_000);
    await world.hub.workers.deliveries!.runOnce();
    await world.hub.workers['refund-confirmations']!.runOnce();
    expect((await world.merchant.call('GET', `/v1/refunds/${refund.body.id}`)).body.status).toBe('succeeded');
    expect(await checkoutStatus(checkout)).toBe('partially_refunded');
    expect(world.emulator.refunds.size).toBe(1);
  });

  test('a payment WeChat reports after the checkout ended is refused by the hub: the order fails, nothing moves', async () => {
    const { checkout, order } = await attempt('qr', { expiresInSeconds: 60 });
    world.hub.clock.advanceMs(61_000);
    await world.hub.workers['checkout-expiry']!.runOnce();
    world.emulator.pay(order.outTradeNo);
    await world.emulator.deliverDue();
    expect(world.emulator.delivered.at(-1)).toMatchObject({ attempts: 1, status: 204 });
    expect(await checkoutStatus(checkout)).toBe('expired');
    const payments = await world.merchant.call('GET', '/v1/payments?limit=100');
    expect(payments.body.data.filter((one: { checkoutId: string }) => one.checkoutId === checkout.id)).toEqual([]);
  });

  test('an attempt repeated with its Idempotency-Key is answered with the same WeChat order, opened once', async () => {
    const checkout = await createCheckout(world.merchant);
    const buyer = buyerOf(world.hub, checkout);
    const body = { walletId: world.wechat.id, flow: 'qr' };
    const first = await buyer('POST', `/v1/checkouts/${checkout.id}/attempts`, body, {
      idempotencyKey: 'same-attempt-1',
    });
    const again = await buyer('POST', `/v1/checkouts/${checkout.id}/attempts`, body, {
      idempotencyKey: 'same-attempt-1',
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const prepays = world.emulator.requests.filter((request) => request.body.includes(first.body.id));
    expect(prepays).toHaveLength(1);
    const svg = await buyer('GET', `/v1/checkouts/${checkout.id}/attempts/${first.body.id}/qr.svg`);
    expect(svg.status).toBe(200);
  });

  test("a friend's share page offers the hub's wallets, not the bridged one, whose order the hub's QR is not", async () => {
    const checkout = await createCheckout(world.merchant);
    const methods = checkout.methods.map((method: { walletId: string }) => method.walletId);
    expect(methods).toEqual(expect.arrayContaining([world.wechat.id, world.acquirer.id]));
    const shared = await buyerOf(world.hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
      walletId: world.acquirer.id,
      flow: 'friend_pay',
    });
    expect(shared.status, shared.text).toBe(201);
    const token = String(shared.body.shareUrl).split('/').pop();
    const page = await fetch(`${world.hub.url}/v1/share/${token}`);
    const wallets = ((await page.json()) as { wallets: { walletId: string }[] }).wallets.map((one) => one.walletId);
    expect(wallets).toEqual([world.acquirer.id]);
  });

  test('the ledger check passes', async () => {
    await world.hub.ctx.db.durable();
    const check = ledgerCheckOf(world.hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
