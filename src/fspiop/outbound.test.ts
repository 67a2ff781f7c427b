import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type TestHub,
  type TestParticipant,
  createParticipant,
  ledgerCheckOf,
  startTestHub,
} from '../testing/index.ts';
import { type TestDfsp, bodyOf, fulfilmentPair, joinDfsp } from './dfsp.test-support.ts';

let hub: TestHub;
let payee: TestDfsp;
let wallet: TestParticipant;
const walletCap = 1_000; // 10.00 USD

beforeAll(async () => {
  hub = await startTestHub();
  payee = await joinDfsp(hub, 'payeefsp', { cap: 100_000 });
  await payee.send('POST', '/participants/MSISDN/6281100', { fspId: 'payeefsp', currency: 'USD' });
  await payee.received('PUT', '/participants/MSISDN/6281100');
  wallet = await createParticipant(hub, {
    name: 'Dompet Lintas',
    roles: ['issuer'],
    currencies: ['USD'],
    netDebitCaps: { USD: walletCap },
  });
});
afterAll(async () => {
  await hub?.stop();
  await payee?.receiver.close();
});
afterEach(() => {
  expect(payee.violations).toEqual([]);
  payee.receiver.requests.length = 0;
});

let refs = 0;
function pay(amount: number, partyIdentifier = '6281100') {
  refs += 1;
  return wallet.call('POST', '/v1/fspiop/transfers', {
    payee: { partyIdType: 'MSISDN', partyIdentifier },
    amount,
    currency: 'USD',
    payer: { ref: `ref-${refs}` },
  });
}

const stateOf = async (id: string) => (await wallet.call('GET', `/v1/fspiop/transfers/${id}`)).body;

/** The payee DFSP answers the hub's quote with the amount asked and a condition of its own. */
async function answerQuote(seed: string) {
  const asked = await payee.received('POST', '/quotes');
  expect(asked.headers['fspiop-source']).toBe('lintas');
  const quote = bodyOf(asked);
  const { fulfilment, condition } = fulfilmentPair(seed);
  const answer = {
    transferAmount: quote.amount,
    expiration: new Date(hub.clock.now().getTime() + 60_000).toISOString(),
    ilpPacket: Buffer.from(`packet ${seed}`).toString('base64url'),
    condition,
  };
  await payee.send('PUT', `/quotes/${quote.quoteId}`, answer, { 'fspiop-destination': 'lintas' });
  return { quote, fulfilment };
}

describe('a Lintas wallet pays a DFSP party, the hub as its payer FSP', () => {
  test('quote, reserve, transfer, fulfil: COMMITTED, and the ledger agrees', async () => {
    const started = await pay(450);
    expect(started.status, started.text).toBe(202);
    const { fulfilment } = await answerQuote('ok');
    const prepared = bodyOf(await payee.received('POST', '/transfers'));
    expect(prepared).toMatchObject({ payerFsp: 'lintas', payeeFsp: 'payeefsp', amount: { amount: '4.5' } });
    expect((await stateOf(started.body.id)).state).toBe('RESERVED');
    const fulfil = { fulfilment, completedTimestamp: hub.clock.now().toISOString(), transferState: 'COMMITTED' };
    await payee.send('PUT', `/transfers/${prepared.transferId}`, fulfil, { 'fspiop-destination': 'lintas' });
    await expect.poll(async () => (await stateOf(started.body.id)).state).toBe('COMMITTED');
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });

  test("an unknown party is 422; past the wallet's cap is FAILED 4001; the DFSP's quote error is its code", async () => {
    const unknown = await pay(100, '999');
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('fspiop_party_unknown');

    const big = await pay(walletCap + 1);
    await answerQuote('big');
    await expect.poll(async () => stateOf(big.body.id)).toMatchObject({ state: 'FAILED', errorCode: '4001' });

    const refused = await pay(100);
    const asked = bodyOf(await payee.received('POST', '/quotes'));
    const error = { errorInformation: { errorCode: '5101', errorDescription: 'Payee rejected quote' } };
    await payee.send('PUT', `/quotes/${asked.quoteId}/error`, error, { 'fspiop-destination': 'lintas' });
    await expect.poll(async () => stateOf(refused.body.id)).toMatchObject({ state: 'FAILED', errorCode: '5101' });
  });

  test('two identical payments racing on one payer.ref: one payment, both answered with it, no 5xx', async () => {
    const ask = {
      payee: { partyIdType: 'MSISDN', partyIdentifier: '6281100' },
      amount: 120,
      currency: 'USD',
      payer: { ref: 'ref-raced' },
    };
    const answers = await Promise.all([1, 2, 3].map(() => wallet.call('POST', '/v1/fspiop/transfers', ask)));
    expect(answers.map((answer) => answer.status < 500)).toEqual([true, true, true]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    const asked = bodyOf(await payee.received('POST', '/quotes'));
    const error = { errorInformation: { errorCode: '5101', errorDescription: 'Payee rejected quote' } };
    await payee.send('PUT', `/quotes/${asked.quoteId}/error`, error, { 'fspiop-destination': 'lintas' });
    await expect.poll(async () => stateOf(answers[0]?.body.id)).toMatchObject({ state: 'FAILED' });
  });
});

test('a quote the DFSP answers too late fails the payment (3303) and reserves nothing', async () => {
  const late = await pay(200);
  hub.clock.advanceMs(61_000);
  expect(await stateOf(late.body.id)).toMatchObject({ state: 'FAILED', errorCode: '3303' });
  // The hub has handled the quote by the time it answers it 200.
  await answerQuote('late');
  expect(await stateOf(late.body.id)).toMatchObject({ state: 'FAILED', errorCode: '3303', transferId: null });
  expect(payee.receiver.requests.filter((request) => request.path.endsWith('/transfers'))).toEqual([]);
});
