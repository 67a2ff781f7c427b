import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { type TestHub, type TestParticipant, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';
import { type DecisionInput, decideMethods } from './index.ts';

type Client = ReturnType<typeof bearerClient>;
type Merchant = { id: string; call: Client };

let hub: TestHub;
let operator: Client;
const w: Record<string, TestParticipant> = {};

/** The directory: the merchants' own acquirer, wallets in every channel status, and the odd ones out. */
const wallets = {
  own: {
    name: 'Own Pay',
    roles: ['issuer', 'acquirer'],
    currencies: ['CNY'],
    appSwitchUrlTemplate: 'own://pay?t={token}',
  },
  beta: { name: 'beta Wallet', roles: ['issuer'], currencies: ['CNY', 'IDR'], paymentCodePrefixes: ['880'] },
  zeta: { name: 'Zeta Wallet', roles: ['issuer'], currencies: ['CNY'], appSwitchUrlTemplate: 'zeta://p/{token}' },
  alpha: { name: 'Alpha Wallet', roles: ['issuer'], currencies: ['CNY'] },
  pending: { name: 'Pending Review', roles: ['issuer'], currencies: ['CNY'] },
  asking: { name: 'Asking Wallet', roles: ['issuer'], currencies: ['CNY'] },
  rejecting: { name: 'Rejecting Wallet', roles: ['issuer'], currencies: ['CNY'] },
  suspending: { name: 'Suspending Wallet', roles: ['issuer'], currencies: ['CNY'] },
  offline: { name: 'Offline Wallet', roles: ['issuer'], currencies: ['CNY'] },
  rupiah: { name: 'Rupiah Wallet', roles: ['issuer'], currencies: ['IDR'] },
  stranger: { name: 'Stranger Wallet', roles: ['issuer'], currencies: ['CNY'] },
  bank: { name: 'Plain Bank', roles: ['acquirer'], currencies: ['CNY'] },
} as const;
type WalletKey = keyof typeof wallets;

/** What each wallet does with the merchant's application; the own acquirer is approved at creation. */
const reviews: [WalletKey, string[]][] = [
  ['beta', ['approve']],
  ['zeta', ['approve']],
  ['alpha', ['approve']],
  ['pending', []],
  ['asking', ['request-info']],
  ['rejecting', ['reject']],
  ['suspending', ['approve', 'suspend']],
  ['offline', ['approve']],
  ['rupiah', ['approve']],
];
const bodies: Record<string, unknown> = {
  'request-info': { question: 'Licence?' },
  reject: { reason: 'no' },
  suspend: { reason: 'review' },
};

/**
 * A merchant of the own acquirer with an application to each wallet; the offline wallet only while it can still be
 * applied to.
 */
async function newMerchant(withOffline = false): Promise<Merchant> {
  const created = await w.own!.call('POST', '/v1/merchants', {
    name: 'Rollout Shop',
    mcc: '5311',
    city: 'Shanghai',
    country: 'CN',
    currency: 'CNY',
  });
  expect(created.status, created.text).toBe(201);
  const merchant = { id: created.body.id as string, call: bearerClient(hub, created.body.secretKey) };
  for (const [key, steps] of reviews) {
    if (key === 'offline' && !withOffline) continue;
    const applied = await merchant.call('POST', '/v1/channel-applications', { walletId: w[key]!.id });
    expect(applied.status, applied.text).toBe(201);
    for (const step of steps) {
      const done = await w[key]!.call('POST', `/v1/channel-applications/${applied.body.id}/${step}`, bodies[step]);
      expect(done.status, done.text).toBe(200);
    }
  }
  return merchant;
}

let plain: Merchant;
let ranked: Merchant;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  for (const [key, fields] of Object.entries(wallets))
    w[key] = await createParticipant(hub, { ...fields, roles: [...fields.roles], currencies: [...fields.currencies] });
  plain = await newMerchant(true);
  ranked = await newMerchant(true);
  // Approved channels, then the wallet itself is suspended by the operator: it leaves the directory.
  await operator('POST', `/v1/participants/${w.offline!.id}/suspend`, { reason: 'outage' });
});
afterAll(async () => hub?.stop());

function decide(merchant: Merchant, currency: string) {
  const input: DecisionInput = {
    merchantId: merchant.id,
    acquirerId: w.own!.id,
    currency,
    amount: 1999,
    buyerId: 'buyer-1',
    lines: [],
    at: hub.clock.now(),
  };
  return inTransaction(hub.ctx.db, (tx) => decideMethods(tx, input));
}

const id = (key: WalletKey) => w[key]!.id;

describe('decideMethods: which wallets a checkout offers, ranked', () => {
  type Row = {
    name: string;
    merchant: () => Merchant;
    settings?: () => Record<string, unknown>;
    currency: string;
    expected: [string, WalletKey][];
  };
  const rows: Row[] = [
    {
      name: 'no settings: the own acquirer is the default, the rest by name',
      merchant: () => plain,
      currency: 'CNY',
      expected: [
        ['default', 'own'],
        ['other', 'alpha'],
        ['other', 'beta'],
        ['other', 'zeta'],
      ],
    },
    {
      name: 'currency filter: only wallets listing IDR',
      merchant: () => plain,
      currency: 'IDR',
      expected: [
        ['other', 'beta'],
        ['other', 'rupiah'],
      ],
    },
    { name: 'a currency no wallet lists offers nothing', merchant: () => plain, currency: 'JPY', expected: [] },
    {
      name: 'a chosen default, and a primary',
      merchant: () => ranked,
      settings: () => ({ defaultWalletId: id('beta'), primaryWalletIds: [id('zeta')], methodOrder: [] }),
      currency: 'CNY',
      expected: [
        ['default', 'beta'],
        ['primary', 'zeta'],
        ['other', 'alpha'],
        ['other', 'own'],
      ],
    },
    {
      name: 'no chosen default falls back to the own acquirer; methodOrder orders the primaries',
      merchant: () => ranked,
      settings: () => ({
        defaultWalletId: null,
        primaryWalletIds: [id('alpha'), id('zeta')],
        methodOrder: [id('zeta'), id('alpha')],
      }),
      currency: 'CNY',
      expected: [
        ['default', 'own'],
        ['primary', 'zeta'],
        ['primary', 'alpha'],
        ['other', 'beta'],
      ],
    },
    {
      name: 'methodOrder orders the others before their names',
      merchant: () => ranked,
      settings: () => ({ methodOrder: [id('zeta'), id('beta')] }),
      currency: 'CNY',
      expected: [
        ['default', 'own'],
        ['other', 'zeta'],
        ['other', 'beta'],
        ['other', 'alpha'],
      ],
    },
    {
      name: 'a default whose channel is suspended is not offered, and nobody takes its place',
      merchant: () => ranked,
      settings: () => ({
        defaultWalletId: id('suspending'),
        primaryWalletIds: [id('pending'), id('asking')],
        methodOrder: [id('offline'), id('rejecting')],
      }),
      currency: 'CNY',
      expected: [
        ['other', 'alpha'],
        ['other', 'beta'],
        ['other', 'own'],
        ['other', 'zeta'],
      ],
    },
  ];

  test.each(rows)('$name', async ({ merchant, settings, currency, expected }) => {
    if (settings) {
      const put = await merchant().call('PUT', '/v1/checkout-settings', settings());
      expect(put.status, put.text).toBe(200);
    }
    const { methods } = await decide(merchant(), currency);
    expect(methods.map((method) => [method.placement, method.walletId])).toEqual(
      expected.map(([placement, key]) => [placement, id(key)]),
    );
  });

  test('flows: app_switch only with a template; payment_code never', async () => {
    const { methods } = await decide(plain, 'CNY');
    const flows = Object.fromEntries(methods.map((method) => [method.name, method.flows]));
    expect(flows).toEqual({
      'Own Pay': ['app_switch', 'qr', 'friend_pay'],
      'Alpha Wallet': ['qr', 'friend_pay'],
      'beta Wallet': ['qr', 'friend_pay'],
      'Zeta Wallet': ['app_switch', 'qr', 'friend_pay'],
    });
  });

  test('a decision for every wallet of the directory, with the first reason that applies', async () => {
    const { decisions } = await decide(plain, 'CNY');
    const byWallet = Object.fromEntries(
      decisions.map((decision) => [decision.walletId, decision.offered ? 'offered' : decision.reason]),
    );
    expect(byWallet).toEqual({
      [id('own')]: 'offered',
      [id('alpha')]: 'offered',
      [id('beta')]: 'offered',
      [id('zeta')]: 'offered',
      [id('pending')]: 'channel_pending',
      [id('asking')]: 'channel_pending',
      [id('rejecting')]: 'channel_rejected',
      [id('suspending')]: 'channel_suspended',
      [id('rupiah')]: 'currency_not_supported',
      [id('stranger')]: 'channel_missing',
    });
    // The suspended wallet and the plain bank are not in the directory at all.
    expect(decisions.map((decision) => decision.walletId)).not.toContain(id('offline'));
    expect(decisions.map((decision) => decision.walletId)).not.toContain(id('bank'));
  });

  test('a channel suspended after one checkout vanishes from the next, and comes back when reinstated', async () => {
    const merchant = await newMerchant();
    const channels = await merchant.call('GET', `/v1/channel-applications?walletId=${id('zeta')}`);
    const channelId = channels.body.data[0].id;
    expect((await decide(merchant, 'CNY')).methods.map((method) => method.walletId)).toContain(id('zeta'));
    await w.zeta!.call('POST', `/v1/channel-applications/${channelId}/suspend`, { reason: 'fraud check' });
    const during = await decide(merchant, 'CNY');
    expect(during.methods.map((method) => method.walletId)).not.toContain(id('zeta'));
    expect(during.decisions.find((decision) => decision.walletId === id('zeta'))).toEqual({
      walletId: id('zeta'),
      offered: false,
      reason: 'channel_suspended',
      detail: { channelId, status: 'suspended' },
    });
    await w.zeta!.call('POST', `/v1/channel-applications/${channelId}/reinstate`);
    expect((await decide(merchant, 'CNY')).methods.map((method) => method.walletId)).toContain(id('zeta'));
  });

  test('a merchant that reapplies after a rejection is decided by its new application', async () => {
    const merchant = await newMerchant();
    expect(
      (await decide(merchant, 'CNY')).decisions.find((decision) => decision.walletId === id('rejecting')),
    ).toMatchObject({ reason: 'channel_rejected' });
    await merchant.call('POST', '/v1/channel-applications', { walletId: id('rejecting') });
    expect(
      (await decide(merchant, 'CNY')).decisions.find((decision) => decision.walletId === id('rejecting')),
    ).toMatchObject({ reason: 'channel_pending' });
  });
});

describe('checkout settings', () => {
  test('read before and after a change; every change audited with before and after', async () => {
    const merchant = await newMerchant();
    const empty = await merchant.call('GET', '/v1/checkout-settings');
    expect(empty.body).toEqual({
      merchantId: merchant.id,
      defaultWalletId: null,
      primaryWalletIds: [],
      methodOrder: [],
      rollout: [],
      createdAt: null,
      updatedAt: null,
    });

    const first = await merchant.call('PUT', '/v1/checkout-settings', {
      defaultWalletId: id('beta'),
      primaryWalletIds: [id('zeta')],
      methodOrder: [id('alpha')],
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      defaultWalletId: id('beta'),
      primaryWalletIds: [id('zeta')],
      methodOrder: [id('alpha')],
      updatedAt: hub.clock.now().toISOString(),
    });
    hub.clock.advanceMs(60_000);
    const second = await merchant.call('PUT', '/v1/checkout-settings', { primaryWalletIds: [id('alpha')] });
    expect(second.body).toMatchObject({
      defaultWalletId: null,
      primaryWalletIds: [id('alpha')],
      methodOrder: [],
      createdAt: first.body.createdAt,
      updatedAt: hub.clock.now().toISOString(),
    });
    expect((await merchant.call('GET', '/v1/checkout-settings')).body).toEqual(second.body);

    const audit = await operator('GET', `/v1/audit-events?objectId=${merchant.id}&limit=100`);
    const changes = audit.body.data.filter((event: { action: string }) => event.action === 'checkout_settings.updated');
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({
      actor: { type: 'merchant', id: merchant.id },
      objectType: 'checkout_settings',
      before: null,
      after: { defaultWalletId: id('beta') },
    });
    expect(changes[1]).toMatchObject({
      before: { defaultWalletId: id('beta'), primaryWalletIds: [id('zeta')] },
      after: { defaultWalletId: null, primaryWalletIds: [id('alpha')] },
    });
  });

  test('ids that are not wallets are refused, each with its pointer', async () => {
    const merchant = await newMerchant();
    const refused = await merchant.call('PUT', '/v1/checkout-settings', {
      defaultWalletId: 'par_nobody',
      primaryWalletIds: [id('beta'), id('bank')],
      methodOrder: [id('alpha'), 'par_ghost', id('offline')],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('invalid_request');
    expect(refused.body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/defaultWalletId',
      '/primaryWalletIds/1',
      '/methodOrder/1',
    ]);
    const duplicates = await merchant.call('PUT', '/v1/checkout-settings', {
      primaryWalletIds: [id('beta'), id('beta')],
      extra: 1,
    });
    expect(duplicates.status).toBe(400);
    expect(duplicates.body.code).toBe('invalid_request');
    expect(duplicates.body.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual([
      '/extra',
      '/primaryWalletIds',
    ]);
    expect((await merchant.call('GET', '/v1/checkout-settings')).body.updatedAt).toBeNull();
  });

  test('only merchants, each its own', async () => {
    const mine = await newMerchant();
    const theirs = await newMerchant();
    await mine.call('PUT', '/v1/checkout-settings', { defaultWalletId: id('zeta') });
    expect((await theirs.call('GET', '/v1/checkout-settings')).body).toMatchObject({
      merchantId: theirs.id,
      defaultWalletId: null,
    });
    expect(await w.beta!.call('GET', '/v1/checkout-settings')).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await operator('PUT', '/v1/checkout-settings', {})).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });
});
