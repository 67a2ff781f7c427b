import { describe, expect, test } from 'vitest';
import type { ChannelStatus } from '../channels/index.ts';
import {
  type MethodRefusalReason,
  type Ranking,
  type WalletFacts,
  decideWallet,
  methodChecks,
  methodFlowsOf,
  methodRefusalReasons,
  rankMethods,
  rankingOf,
} from './model.ts';

const checkout = {
  merchantId: 'mer_1',
  acquirerId: 'par_own',
  currency: 'CNY',
  amount: 1000,
  buyerId: 'buyer-1',
  lines: [],
  at: new Date('2026-01-05T02:00:00Z'),
};

function facts(currencies: string[], status: ChannelStatus | null): WalletFacts {
  return {
    wallet: { id: 'par_w', name: 'W', currencies },
    channel: status ? { id: 'cha_1', status } : null,
    rule: null,
    merchantCurrency: 'CNY',
    checkout,
  };
}

describe('why a wallet is not offered: the first reason that applies', () => {
  // Rows in the order of the reasons they exercise; where two reasons apply, the earlier wins.
  const rows: {
    name: string;
    currencies: string[];
    status: ChannelStatus | null;
    reason: MethodRefusalReason | undefined;
  }[] = [
    { name: 'currency missing and no channel', currencies: ['IDR'], status: null, reason: 'currency_not_supported' },
    {
      name: 'currency missing, channel suspended',
      currencies: ['IDR'],
      status: 'suspended',
      reason: 'currency_not_supported',
    },
    {
      name: 'currency missing, channel approved',
      currencies: ['IDR'],
      status: 'approved',
      reason: 'currency_not_supported',
    },
    { name: 'no channel', currencies: ['CNY'], status: null, reason: 'channel_missing' },
    { name: 'pending', currencies: ['CNY'], status: 'pending', reason: 'channel_pending' },
    { name: 'info requested', currencies: ['CNY', 'IDR'], status: 'info_requested', reason: 'channel_pending' },
    { name: 'rejected', currencies: ['CNY'], status: 'rejected', reason: 'channel_rejected' },
    { name: 'suspended', currencies: ['CNY'], status: 'suspended', reason: 'channel_suspended' },
    { name: 'approved in the currency', currencies: ['CNY'], status: 'approved', reason: undefined },
  ];

  test.each(rows)('$name → $reason', ({ currencies, status, reason }) => {
    const decision = decideWallet(facts(currencies, status));
    if (reason === undefined) expect(decision).toEqual({ walletId: 'par_w', offered: true });
    else expect(decision).toMatchObject({ walletId: 'par_w', offered: false, reason });
  });

  test('the checks run in the documented order of reasons', () => {
    expect(methodChecks.map((check) => check.reason)).toEqual([...methodRefusalReasons]);
  });

  test('details name the facts that refused', () => {
    expect(decideWallet(facts(['IDR'], null))).toEqual({
      walletId: 'par_w',
      offered: false,
      reason: 'currency_not_supported',
      detail: { currency: 'CNY', walletCurrencies: ['IDR'] },
    });
    expect(decideWallet(facts(['CNY'], 'info_requested'))).toMatchObject({
      detail: { channelId: 'cha_1', status: 'info_requested' },
    });
    expect(decideWallet(facts(['CNY'], null))).toEqual({
      walletId: 'par_w',
      offered: false,
      reason: 'channel_missing',
    });
  });
});

describe('ranking the offered wallets', () => {
  const offered = [
    { walletId: 'par_own', name: 'Own Pay', flows: methodFlowsOf(['app_switch', 'qr', 'friend_pay', 'payment_code']) },
    { walletId: 'par_b', name: 'beta', flows: methodFlowsOf(['qr', 'friend_pay']) },
    { walletId: 'par_c', name: 'Zeta', flows: methodFlowsOf(['qr', 'friend_pay']) },
    { walletId: 'par_d', name: 'Alpha', flows: methodFlowsOf(['qr', 'friend_pay']) },
    { walletId: 'par_e', name: 'Alpha', flows: methodFlowsOf(['qr', 'friend_pay']) },
  ];
  const none = { primaryWalletIds: [], methodOrder: [] };
  const rows: { name: string; ranking: Ranking; expected: string[] }[] = [
    {
      name: 'no default: all other, by name (case-insensitive), then id',
      ranking: { defaultWalletId: null, ...none },
      expected: ['other par_d', 'other par_e', 'other par_b', 'other par_own', 'other par_c'],
    },
    {
      name: 'a default leads',
      ranking: { defaultWalletId: 'par_own', ...none },
      expected: ['default par_own', 'other par_d', 'other par_e', 'other par_b', 'other par_c'],
    },
    {
      name: 'primaries follow the default, by name',
      ranking: { defaultWalletId: 'par_own', primaryWalletIds: ['par_c', 'par_b'], methodOrder: [] },
      expected: ['default par_own', 'primary par_b', 'primary par_c', 'other par_d', 'other par_e'],
    },
    {
      name: 'methodOrder orders within each group, before names',
      ranking: {
        defaultWalletId: 'par_own',
        primaryWalletIds: ['par_c', 'par_b'],
        methodOrder: ['par_e', 'par_c', 'par_own'],
      },
      expected: ['default par_own', 'primary par_c', 'primary par_b', 'other par_e', 'other par_d'],
    },
    {
      name: 'a default that is not offered places nobody as default; unknown ids are ignored',
      ranking: { defaultWalletId: 'par_gone', primaryWalletIds: ['par_gone'], methodOrder: ['par_gone', 'par_c'] },
      expected: ['other par_c', 'other par_d', 'other par_e', 'other par_b', 'other par_own'],
    },
    {
      name: 'the default also listed as primary stays the default',
      ranking: { defaultWalletId: 'par_b', primaryWalletIds: ['par_b'], methodOrder: [] },
      expected: ['default par_b', 'other par_d', 'other par_e', 'other par_own', 'other par_c'],
    },
  ];

  test.each(rows)('$name', ({ ranking, expected }) => {
    expect(rankMethods(offered, ranking).map((method) => `${method.placement} ${method.walletId}`)).toEqual(expected);
  });

  test('flows never include payment_code', () => {
    expect(rankMethods(offered, { defaultWalletId: 'par_own', ...none })[0]).toEqual({
      walletId: 'par_own',
      name: 'Own Pay',
      placement: 'default',
      flows: ['app_switch', 'qr', 'friend_pay'],
    });
  });

  test("without settings, or without a chosen default, the merchant's acquirer is the default", () => {
    expect(rankingOf(undefined, 'par_own')).toEqual({
      defaultWalletId: 'par_own',
      primaryWalletIds: [],
      methodOrder: [],
    });
    const settings = {
      merchantId: 'mer_1',
      defaultWalletId: null,
      primaryWalletIds: ['par_b'],
      methodOrder: [],
      createdAt: '',
      updatedAt: '',
    };
    expect(rankingOf(settings, 'par_own').defaultWalletId).toBe('par_own');
    expect(rankingOf({ ...settings, defaultWalletId: 'par_b' }, 'par_own').defaultWalletId).toBe('par_b');
  });
});
