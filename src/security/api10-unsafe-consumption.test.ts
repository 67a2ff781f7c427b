import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ReceivedRequest,
  type Receiver,
  type Reply,
  type TestHub,
  type TestParticipant,
  signedReply,
  startReceiver,
  startTestHub,
} from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet } from '../testing/world.ts';

/**
 * OWASP API10:2023, Unsafe Consumption of APIs. What a participant answers
 * to the hub (a payment code's authorisation) is taken only when it is
 * signed by that participant's own key over its body, and names the
 * authorization, amount and currency that were asked; anything else (an
 * unsigned or forged answer, another's signature, a body changed after
 * signing, a redirect, a body too large or not JSON) is no answer, so the
 * charge stays `unknown` and no money moves.
 */
let hub: TestHub;
let walletApp: Receiver;
let elsewhere: Receiver;
let wallet: TestParticipant;
let other: TestParticipant;
let merchant: TestMerchant;

type Behaviour = (asked: any, answer: any) => Reply | number;
const behaviours = new Map<string, Behaviour>();

async function answerAuthorization(request: ReceivedRequest): Promise<Reply | number> {
  if (!request.path.endsWith('/authorizations')) return 200;
  const asked = JSON.parse(request.body);
  const answer = {
    authorizationId: asked.authorizationId,
    decision: 'approved',
    amount: asked.amount,
    currency: asked.currency,
  };
  const behave = behaviours.get(asked.paymentCode);
  return behave ? behave(asked, answer) : signedReply(wallet, hub.clock, { status: 200, body: answer });
}

beforeAll(async () => {
  hub = await startTestHub();
  walletApp = await startReceiver(hub.clock, answerAuthorization);
  elsewhere = await startReceiver(hub.clock);
  const acquirer = await createWallet(hub, 'Consumption Acquirer', { roles: ['issuer', 'acquirer'] });
  wallet = await createWallet(hub, 'Consumption Wallet', {
    callbackUrl: `${walletApp.url}/lintas`,
    paymentCodePrefixes: ['6290'],
  });
  other = await createWallet(hub, 'Other Wallet', { paymentCodePrefixes: ['6291'] });
  merchant = await createMerchant(hub, acquirer);
});
afterAll(async () => {
  await hub?.stop();
  await walletApp?.close();
  await elsewhere?.close();
});

let codeCounter = 0;
async function chargeWith(behaviour?: Behaviour) {
  codeCounter += 1;
  const code = `6290${String(codeCounter).padStart(12, '0')}`;
  if (behaviour) behaviours.set(code, behaviour);
  return merchant.call('POST', '/v1/pos/charges', {
    paymentCode: code,
    amount: 4_200,
    currency: 'CNY',
    reference: `consume-${codeCounter}`,
  });
}

describe("a wallet's answer to an authorisation", () => {
  test('signed by the wallet and naming what was asked: taken (the baseline)', async () => {
    const charged = await chargeWith();
    expect(charged.status, charged.text).toBe(201);
    expect(charged.body.status).toBe('succeeded');
  });

  test.each<[string, Behaviour]>([
    ['unsigned', (_asked, answer) => ({ status: 200, body: answer })],
    [
      "signed with another participant's key",
      (_asked, answer) => signedReply(other, hub.clock, { status: 200, body: answer }),
    ],
    [
      'with a body changed after it was signed',
      (_asked, answer) => ({
        ...signedReply(wallet, hub.clock, { status: 200, body: { ...answer, decision: 'declined' } }),
        text: JSON.stringify(answer),
      }),
    ],
    [
      'signed long ago (created 10 minutes back)',
      (_asked, answer) => {
        const past = { now: () => new Date(hub.clock.now().getTime() - 600_000) };
        return signedReply(wallet, past, { status: 200, body: answer });
      },
    ],
    [
      'signed, for another authorization',
      (_asked, answer) =>
        signedReply(wallet, hub.clock, { status: 200, body: { ...answer, authorizationId: 'chg_someone_else' } }),
    ],
    [
      'signed, for another amount',
      (_asked, answer) =>
        signedReply(wallet, hub.clock, { status: 200, body: { ...answer, amount: answer.amount * 10 } }),
    ],
    [
      'signed, in another currency',
      (_asked, answer) => signedReply(wallet, hub.clock, { status: 200, body: { ...answer, currency: 'IDR' } }),
    ],
    [
      'signed, with a decision the hub does not know',
      (_asked, answer) => signedReply(wallet, hub.clock, { status: 200, body: { ...answer, decision: 'maybe' } }),
    ],
    ['not JSON', () => ({ status: 200, text: '<html>approved</html>' })],
    [
      'a redirect to somewhere else',
      () => ({ status: 302, headers: { location: `${elsewhere.url}/authorizations` }, body: {} }),
    ],
    [
      'larger than the hub reads (over 1 MiB)',
      (_asked, answer) => ({ status: 200, text: JSON.stringify({ ...answer, padding: 'x'.repeat(1_100_000) }) }),
    ],
  ])('%s: not taken, the charge stays unknown and nothing moves', async (_label, behaviour) => {
    const charged = await chargeWith(behaviour);
    expect(charged.status, charged.text).toBe(202);
    expect(charged.body).toMatchObject({ status: 'unknown', transferId: null, receiptNumber: null });
    expect(elsewhere.requests).toEqual([]);
    const reversed = await merchant.call('POST', `/v1/pos/charges/${charged.body.id}/reverse`);
    expect(reversed.body.status).toBe('reversed');
  });
});
