/**
 * The world a torture run pays in, made through the hub's own API before the first kill: fees in two
 * currencies, an acquirer and two wallets (each with a payment-code prefix and a callback receiver), a merchant
 * in each currency under the acquirer with a webhook receiver, and every merchant's channel with every wallet.
 */
import { generateEd25519KeyPair, publicKeyToJwk } from '../http/index.ts';
import type { ApiRequest, Client, Credentials } from './client.ts';
import { type Journal, textField } from './model.ts';
import { keyOf } from './plan.ts';
import { merchantWebhookPath, walletCallbackPath } from './receivers.ts';

export type Wallet = { slug: string; id: string; prefix: string; credentials: Credentials };
export type Merchant = { slug: string; id: string; currency: string; credentials: Credentials; placard: string };
export type World = {
  operator: Credentials;
  acquirer: Wallet;
  wallets: readonly [Wallet, Wallet];
  merchants: readonly [Merchant, Merchant];
};

export const currencies = ['CNY', 'IDR'] as const;
/** A cap no run comes near: the torture is about crashes, not limits. */
const roomyCap = 1_000_000_000_000;
/** Fees in basis points, so payments carry interchange that refunds return in proportion. */
const feeSchedule = {
  interchange: { bps: 60 },
  issuerSwitchFee: { bps: 5, fixedAmount: 1 },
  acquirerSwitchFee: { bps: 5 },
  merchantDiscount: { bps: 100 },
};
/** Setup steps are story -1: their keys never meet a story's. */
const setupStory = -1;

type Seeding = { client: Client; journal: Journal; seed: number; receiversUrl: string };

async function expectAnswer(
  seeding: Seeding,
  step: string,
  as: Credentials,
  request: ApiRequest,
  status: number,
): Promise<unknown> {
  const key = request.method === 'POST' ? keyOf(seeding.seed, setupStory, step) : undefined;
  const op = seeding.journal.open('setup', setupStory, key);
  const answer = await seeding.client.send(op, as, request);
  if (answer?.status !== status)
    throw new Error(`torture setup: ${step} answered ${answer?.status ?? 'nothing'}: ${JSON.stringify(answer?.body)}`);
  return answer.body;
}

function idOf(body: unknown, what: string): string {
  const id = textField(body, 'id');
  if (id === undefined) throw new Error(`torture setup: ${what} came back without an id`);
  return id;
}

async function createParticipant(
  seeding: Seeding,
  operator: Credentials,
  plan: { slug: string; roles: string[]; prefix: string },
): Promise<Wallet> {
  const pair = generateEd25519KeyPair();
  const keyId = `torture-${seeding.seed}-${plan.slug}`;
  const created = await expectAnswer(
    seeding,
    `participant-${plan.slug}`,
    operator,
    {
      method: 'POST',
      path: '/v1/participants',
      body: {
        name: `Torture ${plan.slug}`,
        roles: plan.roles,
        currencies,
        callbackUrl: `${seeding.receiversUrl}${walletCallbackPath(plan.slug)}`,
        publicKeys: [{ kid: keyId, jwk: publicKeyToJwk(pair.publicKey, keyId) }],
        paymentCodePrefixes: [plan.prefix],
        netDebitCaps: Object.fromEntries(currencies.map((currency) => [currency, roomyCap])),
      },
    },
    201,
  );
  const id = idOf(created, plan.slug);
  const approve: ApiRequest = { method: 'POST', path: `/v1/participants/${id}/approve` };
  await expectAnswer(seeding, `approve-${plan.slug}`, operator, approve, 200);
  return {
    slug: plan.slug,
    id,
    prefix: plan.prefix,
    credentials: { kind: 'signed', keyId, privateKey: pair.privateKey },
  };
}

async function createMerchant(
  seeding: Seeding,
  acquirer: Wallet,
  wallets: readonly Wallet[],
  currency: string,
): Promise<Merchant> {
  const slug = `toko-${currency.toLowerCase()}`;
  const body = { name: `Toko ${currency}`, mcc: '5812', city: 'Jakarta', country: 'ID', currency };
  const created = await expectAnswer(
    seeding,
    `merchant-${slug}`,
    acquirer.credentials,
    { method: 'POST', path: '/v1/merchants', body },
    201,
  );
  const id = idOf(created, slug);
  const credentials: Credentials = { kind: 'bearer', token: textField(created, 'secretKey') ?? '' };
  for (const wallet of wallets) {
    const applied = await expectAnswer(
      seeding,
      `channel-${slug}-${wallet.slug}`,
      credentials,
      { method: 'POST', path: '/v1/channel-applications', body: { walletId: wallet.id } },
      201,
    );
    const approve: ApiRequest = {
      method: 'POST',
      path: `/v1/channel-applications/${idOf(applied, 'channel')}/approve`,
    };
    await expectAnswer(seeding, `approve-${slug}-${wallet.slug}`, wallet.credentials, approve, 200);
  }
  const url = `${seeding.receiversUrl}${merchantWebhookPath(slug)}`;
  const endpoint: ApiRequest = { method: 'POST', path: '/v1/webhook-endpoints', body: { url, events: ['*'] } };
  await expectAnswer(seeding, `webhooks-${slug}`, credentials, endpoint, 201);
  const placard = await expectAnswer(
    seeding,
    `placard-${slug}`,
    credentials,
    { method: 'GET', path: `/v1/merchants/${id}/placard` },
    200,
  );
  return { slug, id, currency, credentials, placard: textField(placard, 'payload') ?? '' };
}

export async function seedWorld(seeding: Seeding, operatorToken: string): Promise<World> {
  const operator: Credentials = { kind: 'bearer', token: operatorToken };
  for (const currency of currencies) {
    const schedule: ApiRequest = { method: 'PUT', path: `/v1/fee-schedules/${currency}`, body: feeSchedule };
    await expectAnswer(seeding, `fees-${currency}`, operator, schedule, 200);
  }
  const acquirer = await createParticipant(seeding, operator, {
    slug: 'acquirer',
    roles: ['issuer', 'acquirer'],
    prefix: '81',
  });
  const wallets = [
    await createParticipant(seeding, operator, { slug: 'wallet-a', roles: ['issuer'], prefix: '82' }),
    await createParticipant(seeding, operator, { slug: 'wallet-b', roles: ['issuer'], prefix: '83' }),
  ] as const;
  const merchants = [
    await createMerchant(seeding, acquirer, wallets, 'CNY'),
    await createMerchant(seeding, acquirer, wallets, 'IDR'),
  ] as const;
  return { operator, acquirer, wallets, merchants };
}
