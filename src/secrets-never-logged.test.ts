import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type WechatpayEmulator,
  generateRsaKeyPair,
  startWechatpayEmulator,
} from './bridges/wechatpay/emulator.test-support.ts';
import { ensureHubKey } from './hub/index.ts';
import {
  type TestHub,
  type TestParticipant,
  bearerClient,
  signedReply,
  startReceiver,
  startTestHub,
  type Receiver,
} from './testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  buyerOf,
  createCheckout,
  createMerchant,
  createWallet,
} from './testing/world.ts';

/**
 * Secrets never logged (DESIGN: "nothing secret is ever logged"). A whole
 * session runs at the most talkative level (trace), creating every kind of
 * secret the hub knows: the operator token, the master key, the hub's
 * private key, merchant keys (and a rotated one), client secrets, webhook
 * secrets, participants' private keys, payment tokens, share tokens and
 * payment codes, a merchant's credentials at a bridged wallet (WeChat Pay's
 * private key and APIv3 key, refused once then proved); also failing calls that carry a secret where it does not
 * belong. Then every log line is searched for every one of them.
 */
const lines: string[] = [];
let hub: TestHub;
let receiver: Receiver;
let wallet: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
let emulator: WechatpayEmulator;
const secrets = new Map<string, string>();

beforeAll(async () => {
  hub = await startTestHub({ log: { level: 'trace', destination: { write: (line) => void lines.push(line) } } });
  receiver = await startReceiver(hub.clock, (request) => {
    if (!request.path.endsWith('/authorizations')) return 200;
    const asked = JSON.parse(request.body);
    return signedReply(wallet, hub.clock, {
      status: 200,
      body: {
        authorizationId: asked.authorizationId,
        decision: 'approved',
        amount: asked.amount,
        currency: asked.currency,
      },
    });
  });
  acquirer = await createWallet(hub, 'Log Acquirer', { roles: ['issuer', 'acquirer'] });
  wallet = await createWallet(hub, 'Log Wallet', { callbackUrl: `${receiver.url}/w`, paymentCodePrefixes: ['6299'] });
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, wallet);
  emulator = await startWechatpayEmulator({ clock: hub.clock });
  // Before the session, which rotates the merchant's key.
  await runBridgeSession();
  await runSession();
});
afterAll(async () => {
  await emulator?.close();
  await hub?.stop();
  await receiver?.close();
});

function keep(kind: string, value: unknown): void {
  if (typeof value !== 'string' || value.length < 8) throw new Error(`the session made no ${kind}: ${String(value)}`);
  secrets.set(kind, value);
}

async function runSession(): Promise<void> {
  keep('operator token', hub.operatorToken);
  keep('master key', hub.config.masterKey.reveal());
  const hubKey = await ensureHubKey(hub.ctx);
  keep('hub private key', hubKey.privateKey.export({ format: 'jwk' }).d);
  keep('wallet private key', wallet.privateKey.export({ format: 'jwk' }).d);
  keep('merchant key', merchant.secretKey);
  const rotated = await acquirer.call('POST', `/v1/merchants/${merchant.id}/rotate-key`);
  keep('rotated merchant key', rotated.body.secretKey);
  const call = bearerClient(hub, rotated.body.secretKey);
  const endpoint = await call('POST', '/v1/webhook-endpoints', { url: `${receiver.url}/hooks`, events: ['*'] });
  keep('webhook secret', endpoint.body.secret);
  const rolled = await call('POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`);
  if (rolled.status === 200) keep('rotated webhook secret', rolled.body.secret);
  const checkout = await createCheckout({ ...merchant, call });
  keep('client secret', checkout.clientSecret);
  const buyer = buyerOf(hub, checkout);
  const qr = await buyer('POST', `/v1/checkouts/${checkout.id}/attempts`, { walletId: wallet.id, flow: 'qr' });
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: qr.body.qrPayload });
  keep('payment token', resolved.body.paymentToken);
  const shared = await buyer('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: wallet.id,
    flow: 'friend_pay',
  });
  const shareToken = String(shared.body.shareUrl ?? '')
    .split('/')
    .pop();
  keep('share token', shareToken);
  await fetch(`${hub.url}/share/${shareToken}`);
  await fetch(`${hub.url}/v1/share/${shareToken}`);
  const paid = await wallet.call('POST', '/v1/transfers', {
    paymentToken: resolved.body.paymentToken,
    amount: resolved.body.amount,
    currency: resolved.body.currency,
    payer: { ref: 'log-1' },
  });
  expect(paid.status, paid.text).toBe(201);
  const till = await call('POST', '/v1/pos/qr-codes', { amount: 700, currency: 'CNY', reference: 'log-till' });
  keep('till QR payload', till.body.qrPayload);
  const code = '6299001122334455';
  keep('payment code', code);
  await call('POST', '/v1/pos/charges', { paymentCode: code, amount: 900, currency: 'CNY', reference: 'log-code' });
  await hub.workers.deliveries?.runOnce();
  // Secrets where they do not belong: in a query, in a wrong header, as a wrong token.
  await fetch(`${hub.url}/v1/merchant?token=${rotated.body.secretKey}`, {
    headers: { 'x-api-key': hub.operatorToken },
  });
  await bearerClient(hub, `${rotated.body.secretKey}x`)('GET', '/v1/merchant');
  await bearerClient(hub, merchant.secretKey)('GET', '/v1/merchant');
  await fetch(`${hub.url}/v1/checkouts/${checkout.id}`, { headers: { cookie: `cs=${checkout.clientSecret}` } });
}

/** A bridged wallet: the merchant's WeChat Pay credentials, refused once, then proved and used to pay. */
async function runBridgeSession(): Promise<void> {
  const keys = generateRsaKeyPair();
  const account = {
    mchid: '1230000109',
    appid: 'wxd678efh567hg6787',
    serialNo: '444F4864EA9B34415A0FBE5F1DB1B1E0A1F6B8C2',
    privateKeyPem: keys.privateKeyPem,
    apiV3Key: 'secretApiV3KeyNeverInTheLog12345',
  };
  keep('bridge private key', account.privateKeyPem);
  keep('bridge private key line', account.privateKeyPem.split('\n')[2]);
  keep('bridge APIv3 key', account.apiV3Key);
  emulator.addMerchant({ ...account, publicKeyPem: keys.publicKeyPem });
  const operator = bearerClient(hub, hub.operatorToken);
  const bridged = await operator('POST', '/v1/participants', {
    name: 'Log WeChat Pay',
    roles: ['issuer'],
    currencies: ['CNY'],
    netDebitCaps: { CNY: 1_000_000 },
    bridge: {
      kind: 'wechatpay_v3',
      baseUrl: emulator.url,
      platformKeys: [{ serial: emulator.platformSerial, publicKeyPem: emulator.platformPublicKeyPem }],
    },
  });
  await operator('POST', `/v1/participants/${bridged.body.id}/approve`);
  const applied = await merchant.call('POST', '/v1/channel-applications', { walletId: bridged.body.id });
  const path = `/v1/channel-applications/${applied.body.id}/bridge-credentials`;
  const refused = await merchant.call('PUT', path, { ...account, mchid: '1230000999' });
  expect(refused.status, refused.text).toBe(422);
  const proved = await merchant.call('PUT', path, account);
  expect(proved.status, proved.text).toBe(200);
  const checkout = await createCheckout(merchant);
  const qr = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: bridged.body.id,
    flow: 'qr',
  });
  expect(qr.status, qr.text).toBe(201);
  emulator.pay(qr.body.id);
  await emulator.deliverDue();
  expect((await merchant.call('GET', `/v1/checkouts/${checkout.id}`)).body.status).toBe('paid');
}

describe('a whole session at trace level', () => {
  test('was logged (the search below has something to search)', () => {
    expect(lines.length).toBeGreaterThan(20);
    const log = lines.join('');
    expect(log).toContain('"msg":"request completed"');
    // The URLs that carried a secret are there, with the secret replaced.
    expect(log).toContain('"url":"/share/[redacted]"');
    expect(log).toContain('"url":"/v1/merchant?token=[redacted]"');
  });

  test('made every kind of secret', () => {
    expect([...secrets.keys()]).toEqual(
      expect.arrayContaining([
        'operator token',
        'master key',
        'hub private key',
        'wallet private key',
        'merchant key',
        'rotated merchant key',
        'webhook secret',
        'client secret',
        'payment token',
        'share token',
        'payment code',
        'bridge private key',
        'bridge APIv3 key',
      ]),
    );
  });

  test('logged none of them', () => {
    const log = lines.join('');
    const found = [...secrets].filter(([, value]) => log.includes(value)).map(([kind]) => kind);
    expect(found).toEqual([]);
  });
});
