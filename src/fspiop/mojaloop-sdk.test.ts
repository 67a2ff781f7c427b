/**
 * The proof that a Mojaloop DFSP joins Lintas unchanged: two real
 * `@mojaloop/sdk-scheme-adapter` instances (a payer DFSP and a payee DFSP,
 * each with a core-banking backend of this test's own) pay each other
 * through the hub's FSPIOP API, and the ledger agrees. Both sign what they
 * send (JWS_SIGN) and the hub holds their JWS keys, so it verifies every
 * signed message; both check every signature that reaches them
 * (VALIDATE_INBOUND_JWS): their peer's, passed on by the hub untouched, and
 * the hub's own on what it makes itself.
 */
import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readHubTemplate } from '../payments/index.ts';
import { decode } from '../qr/index.ts';
import {
  type TestHub,
  type TestParticipant,
  bearerClient,
  createParticipant,
  ledgerCheckOf,
  startReceiver,
  startTestHub,
  verifyWebhook,
} from '../testing/index.ts';
import { approveChannel, buyerOf, createCheckout, createMerchant } from '../testing/world.ts';
import { enrolDfsp, mojaloopSignature, sendAs } from './dfsp.test-support.ts';
import {
  type CoreBanking,
  type Redis,
  type Sdk,
  payThroughSdk,
  sdkUnavailableReason,
  startCoreBanking,
  startRedis,
  startSdk,
} from './mojaloop-sdk.test-support.ts';

const unavailable = sdkUnavailableReason();
if (unavailable) console.warn(`skipping the Mojaloop SDK test: ${unavailable}`);

const cap = 5_000; // 50.00 USD
const sdkTimeoutMs = 60_000;
const payeeMsisdn = '17039811902';

let hub: TestHub;
let redis: Redis | undefined;
const banks: CoreBanking[] = [];
const sdks: Sdk[] = [];
let payerSdk: Sdk;
let payeeSdk: Sdk;
let participants: { payer: string; payee: string };
let payerParticipant: TestParticipant;
let keysFolder: string | undefined;

/** Each DFSP's JWS key pair as the SDK reads them: its private key, and its peers' public keys by fspId. */
function jwsKeys(folder: string, fspId: string): { privateKey: KeyObject; privatePath: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePath = join(folder, `${fspId}.key`);
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { privateKey, privatePath, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

beforeAll(async () => {
  if (unavailable) return;
  hub = await startTestHub();
  redis = await startRedis();
  const payerBank = await startCoreBanking({});
  const payeeBank = await startCoreBanking({ [`MSISDN/${payeeMsisdn}`]: 'Siti Rahayu' });
  banks.push(payerBank, payeeBank);
  const switchUrl = `${hub.url}/fspiop`;
  keysFolder = mkdtempSync(join(tmpdir(), 'lintas-jws-'));
  const trusted = mkdtempSync(join(keysFolder, 'trusted-'));
  const payerKeys = jwsKeys(keysFolder, 'payerfsp');
  const payeeKeys = jwsKeys(keysFolder, 'payeefsp');
  // Each SDK trusts its peer's key and the hub's, which signs what the hub makes itself (its 4001, say).
  const hubKey = await bearerClient(hub, hub.operatorToken)('GET', '/v1/fspiop/jws-key');
  expect(hubKey.body.fspId).toBe('lintas');
  writeFileSync(join(trusted, 'payerfsp.pem'), payerKeys.publicPem);
  writeFileSync(join(trusted, 'payeefsp.pem'), payeeKeys.publicPem);
  writeFileSync(join(trusted, 'lintas.pem'), hubKey.body.publicKey);
  const signing = (path: string) => ({
    JWS_SIGN: 'true',
    JWS_SIGNING_KEY_PATH: path,
    VALIDATE_INBOUND_JWS: 'true',
    JWS_VERIFICATION_KEYS_DIRECTORY: trusted,
  });
  payerSdk = await startSdk({
    fspId: 'payerfsp',
    switchUrl,
    backend: payerBank,
    redisUrl: redis.url,
    env: signing(payerKeys.privatePath),
  });
  sdks.push(payerSdk);
  payeeSdk = await startSdk({
    fspId: 'payeefsp',
    switchUrl,
    backend: payeeBank,
    redisUrl: redis.url,
    env: signing(payeeKeys.privatePath),
  });
  sdks.push(payeeSdk);
  const payer = await enrolDfsp(hub, 'payerfsp', {
    cap,
    callbackUrl: payerSdk.inboundUrl,
    jwsPublicKey: payerKeys.publicPem,
  });
  const payee = await enrolDfsp(hub, 'payeefsp', {
    cap,
    callbackUrl: payeeSdk.inboundUrl,
    jwsPublicKey: payeeKeys.publicPem,
  });
  participants = { payer: payer.id, payee: payee.id };
  payerParticipant = payer;
  // The payee DFSP tells the oracle it holds its customer's number (signed: the hub holds its key).
  const path = `/participants/MSISDN/${payeeMsisdn}`;
  const body = { fspId: 'payeefsp' };
  const signature = await mojaloopSignature(payeeKeys.privateKey, {
    method: 'POST',
    uri: path,
    source: 'payeefsp',
    body,
  });
  const added = await sendAs(hub, 'payeefsp')('POST', path, body, signature);
  expect(added.status).toBe(202);
}, 120_000);

afterAll(async () => {
  await Promise.all(sdks.map((sdk) => sdk.stop()));
  await Promise.all(banks.map((bank) => bank.close()));
  await redis?.stop();
  await hub?.stop();
  if (keysFolder) rmSync(keysFolder, { recursive: true, force: true });
});

let transfersSent = 0;

function sendMoney(
  amount: string,
  to: { idType: string; idValue: string } = { idType: 'MSISDN', idValue: payeeMsisdn },
) {
  hub.clock.set(new Date()); // the SDKs stamp expirations with the wall clock
  transfersSent += 1;
  const homeTransactionId = `home-${transfersSent}`;
  return payThroughSdk(payerSdk, {
    homeTransactionId,
    to: to.idValue,
    idType: to.idType,
    amount,
    currency: 'USD',
    timeoutMs: sdkTimeoutMs,
  });
}

async function positionOf(participantId: string): Promise<number> {
  const answer = await bearerClient(hub, hub.operatorToken)(
    'GET',
    `/v1/positions?participantId=${participantId}&currency=USD`,
  );
  return answer.body.data[0]?.position ?? 0;
}

function sdkLogs(): string {
  return sdks.map((sdk) => `--- ${sdk.fspId}\n${sdk.output.join('').slice(-3000)}`).join('\n');
}

describe.skipIf(unavailable !== undefined)('two Mojaloop SDKs through Lintas', () => {
  test(
    'signed P2P transfers complete, one past the cap comes back 4001, and positions and the ledger agree',
    async () => {
      for (const amount of ['10', '7.5']) {
        const sent = await sendMoney(amount);
        expect(sent.status, `${JSON.stringify(sent.body)}\n${sdkLogs()}`).toBe(200);
        expect(sent.body.currentState).toBe('COMPLETED');
        expect(sent.body.fulfil.body.transferState).toBe('COMMITTED');
        expect(banks[1]?.transfers.get(sent.body.transferId)).toEqual({ amount, currency: 'USD' });
      }
      expect(await positionOf(participants.payer)).toBe(-1750);
      expect(await positionOf(participants.payee)).toBe(1750);

      const refused = await sendMoney('40');
      expect(refused.status, JSON.stringify(refused.body)).toBe(500);
      const error = refused.body.transferState?.lastError?.mojaloopError?.errorInformation;
      expect(error?.errorCode, JSON.stringify(refused.body)).toBe('4001');
      expect(await positionOf(participants.payer)).toBe(-1750);
      expect(await positionOf(participants.payee)).toBe(1750);

      // Both checked the signatures that reached them: had one failed, it would have answered 400, and the
      // transfer been aborted or the payer never told of the 4001.
      for (const sdk of [payerSdk, payeeSdk]) expect(sdk.output.join('')).toContain('Validating JWS');

      const check = ledgerCheckOf(hub.config.db);
      expect(check.output).toContain('ledger check passed');
      expect(check.status).toBe(0);
    },
    4 * sdkTimeoutMs,
  );
});

describe.skipIf(unavailable !== undefined)("a Mojaloop DFSP pays a Lintas merchant's checkout", () => {
  test(
    'the SDK pays party ALIAS/{payment token}: the checkout is paid, its webhook fires, the ledger agrees',
    async () => {
      const acquirer = await createParticipant(hub, {
        name: 'Lintas Acquirer',
        roles: ['acquirer'],
        currencies: ['USD'],
        netDebitCaps: { USD: cap },
      });
      const merchant = await createMerchant(hub, acquirer, {
        name: 'Kopi Kita',
        mcc: '5814',
        currency: 'USD',
        country: 'US',
        city: 'New York',
      });
      const webhooks = await startReceiver(hub.clock);
      try {
        const endpoint = await merchant.call('POST', '/v1/webhook-endpoints', { url: webhooks.url, events: ['*'] });
        expect(endpoint.status, endpoint.text).toBe(201);
        // The merchant takes the DFSP as it takes any wallet: a channel the DFSP's participant approves.
        await approveChannel(merchant, payerParticipant);
        const checkout = await createCheckout(merchant, {
          amount: 1234,
          currency: 'USD',
          lines: [
            { kind: 'product', sku: 'KOPI-1', name: 'Kopi susu', category: 'grocery', quantity: 1, unitAmount: 1234 },
          ],
        });
        const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
          walletId: participants.payer,
          flow: 'qr',
        });
        expect(attempt.status, attempt.text).toBe(201);
        const token = tokenOf(attempt.body.qrPayload);

        const sent = await sendMoney('12.34', { idType: 'ALIAS', idValue: token });
        expect(sent.status, `${JSON.stringify(sent.body)}\n${sdkLogs()}`).toBe(200);
        expect(sent.body.currentState).toBe('COMPLETED');
        expect(sent.body.to).toMatchObject({ idType: 'ALIAS', idValue: token, fspId: 'lintas' });

        const paid = await merchant.call('GET', `/v1/checkouts/${checkout.id}`);
        expect(paid.body).toMatchObject({ status: 'paid', paidWalletId: participants.payer });
        await hub.workers.deliveries?.runOnce();
        const events = webhooks.requests.map((request) => verifyWebhook(endpoint.body.secret, request) as any);
        expect(events.find((event) => event.type === 'payment.succeeded')?.data).toMatchObject({
          checkoutId: checkout.id,
          amount: 1234,
          currency: 'USD',
        });
        const check = ledgerCheckOf(hub.config.db);
        expect(check.output).toContain('ledger check passed');
        expect(check.status).toBe(0);
      } finally {
        await webhooks.close();
      }
    },
    2 * sdkTimeoutMs,
  );
});

/** The payment token a checkout's QR carries in the hub's template, which the payer's app reads. */
function tokenOf(qrPayload: string): string {
  const decoded = decode(qrPayload, { mode: 'lenient' });
  const template = decoded.kind === 'mpm' ? readHubTemplate(decoded.fields, hub.config.qrGuid) : undefined;
  if (template?.token === undefined) throw new Error(`no hub token in ${qrPayload}`);
  return template.token;
}
