import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
 * payment codes; also failing calls that carry a secret where it does not
 * belong. Then every log line is searched for every one of them.
 */
const lines: string[] = [];
let hub: TestHub;
let receiver: Receiver;
let wallet: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
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
  await runSession();
});
afterAll(async () => {
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
      ]),
    );
  });

  test('logged none of them', () => {
    const log = lines.join('');
    const found = [...secrets].filter(([, value]) => log.includes(value)).map(([kind]) => kind);
    expect(found).toEqual([]);
  });
});
