import { systemClock } from '../platform/index.ts';
import { generateEd25519KeyPair, publicKeyToJwk } from '../http/index.ts';
import { bearerCall, signedCall } from './client.ts';
import { type DemoState, type DemoWallet, readDemoState, writeDemoState } from './state.ts';

type WalletPlan = { slug: string; name: string; roles: string[]; appSwitch: boolean; prefix: string };

/** Three wallets: the merchant's own (also its acquirer), one that approved it, one still reviewing. */
const walletPlans: WalletPlan[] = [
  { slug: 'lintas-pay', name: 'Lintas Pay', roles: ['issuer', 'acquirer'], appSwitch: true, prefix: '61' },
  { slug: 'beta-wallet', name: 'Beta Wallet', roles: ['issuer'], appSwitch: true, prefix: '62' },
  { slug: 'gamma-wallet', name: 'Gamma Wallet', roles: ['issuer'], appSwitch: false, prefix: '63' },
];

const demoCap = 100_000_000;

function expectStatus(response: { status: number; body: any }, status: number, what: string): any {
  if (response.status !== status)
    throw new Error(`demo seed: ${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function createWallet(
  hubUrl: string,
  operatorToken: string,
  publicUrl: string,
  plan: WalletPlan,
): Promise<DemoWallet> {
  const operator = bearerCall(hubUrl, operatorToken);
  const pair = generateEd25519KeyPair();
  const keyId = `demo-${plan.slug}-${systemClock.now().getTime()}`;
  const created = expectStatus(
    await operator('POST', '/v1/participants', {
      name: plan.name,
      roles: plan.roles,
      currencies: ['CNY', 'IDR'],
      callbackUrl: `${publicUrl}/demo/wallets/${plan.slug}/callbacks`,
      publicKeys: [{ kid: keyId, jwk: publicKeyToJwk(pair.publicKey, keyId) }],
      ...(plan.appSwitch ? { appSwitchUrlTemplate: `${publicUrl}/wallet/${plan.slug}?token={token}` } : {}),
      paymentCodePrefixes: [plan.prefix],
      netDebitCaps: { CNY: demoCap, IDR: demoCap },
    }),
    201,
    `creating ${plan.name}`,
  );
  expectStatus(await operator('POST', `/v1/participants/${created.id}/approve`), 200, `approving ${plan.name}`);
  return {
    slug: plan.slug,
    id: created.id,
    name: plan.name,
    keyId,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Seeds the demo once per data directory, through the hub's own API, and
 * keeps what it made (with the wallets' private keys) in a 0600 file.
 */
export async function seedDemo(
  hubUrl: string,
  operatorToken: string,
  publicUrl: string,
  dataDir: string,
): Promise<DemoState> {
  const existing = readDemoState(dataDir);
  if (existing) return existing;
  const wallets = [];
  for (const plan of walletPlans) wallets.push(await createWallet(hubUrl, operatorToken, publicUrl, plan));
  const [own, beta, gamma] = wallets as [DemoWallet, DemoWallet, DemoWallet];
  const merchant = expectStatus(
    await signedCall(hubUrl, own)('POST', '/v1/merchants', {
      name: 'Toko Lintas',
      mcc: '5732',
      city: 'Shanghai',
      country: 'CN',
      currency: 'CNY',
    }),
    201,
    'creating the merchant',
  );
  const asMerchant = bearerCall(hubUrl, merchant.secretKey);
  const toBeta = expectStatus(
    await asMerchant('POST', '/v1/channel-applications', {
      walletId: beta.id,
      businessDetails: { website: 'https://toko.example' },
    }),
    201,
    'applying to Beta',
  );
  expectStatus(
    await signedCall(hubUrl, beta)('POST', `/v1/channel-applications/${toBeta.id}/approve`),
    200,
    'Beta approving',
  );
  expectStatus(await asMerchant('POST', '/v1/channel-applications', { walletId: gamma.id }), 201, 'applying to Gamma');
  const state: DemoState = {
    wallets,
    merchant: { id: merchant.id, name: merchant.name, secretKey: merchant.secretKey },
  };
  writeDemoState(dataDir, state);
  return state;
}
