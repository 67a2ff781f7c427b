import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readHubTemplate } from '../payments/index.ts';
import { decode } from '../qr/index.ts';
import { type TestHub, createParticipant, ledgerCheckOf, startTestHub } from '../testing/index.ts';
import { type TestMerchant, approveChannel, buyerOf, createCheckout, createMerchant } from '../testing/world.ts';
import { type TestDfsp, bodyOf, fulfilmentPair, joinDfsp } from './dfsp.test-support.ts';

let hub: TestHub;
let payer: TestDfsp;
let merchant: TestMerchant;
const cap = 5_000; // 50.00 USD

beforeAll(async () => {
  hub = await startTestHub();
  payer = await joinDfsp(hub, 'payerfsp', { cap });
  const acquirer = await createParticipant(hub, {
    name: 'Lintas Acquirer',
    roles: ['acquirer'],
    currencies: ['USD'],
    netDebitCaps: { USD: cap },
  });
  merchant = await createMerchant(hub, acquirer, { name: 'Kopi Kita', currency: 'USD', country: 'US', city: 'Boston' });
  await approveChannel(merchant, payer.participant);
});
afterAll(async () => {
  await hub?.stop();
  await payer?.receiver.close();
});
afterEach(() => {
  expect(payer.violations).toEqual([]);
  payer.receiver.requests.length = 0;
});

/** A checkout of `amount` cents and the token its QR carries for the DFSP. */
async function checkoutToken(amount: number): Promise<{ id: string; token: string }> {
  const lines = [
    { kind: 'product', sku: 'KOPI-1', name: 'Kopi', category: 'grocery', quantity: 1, unitAmount: amount },
  ];
  const checkout = await createCheckout(merchant, { amount, currency: 'USD', lines });
  const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: payer.participant.id,
    flow: 'qr',
  });
  const decoded = decode(attempt.body.qrPayload, { mode: 'lenient' });
  const template = decoded.kind === 'mpm' ? readHubTemplate(decoded.fields, hub.config.qrGuid) : undefined;
  if (template?.token === undefined) throw new Error(`no token in ${attempt.text}`);
  return { id: checkout.id, token: template.token };
}

function quoteOf(token: string, amount: string) {
  return {
    quoteId: randomUUID(),
    transactionId: randomUUID(),
    payee: { partyIdInfo: { partyIdType: 'ALIAS', partyIdentifier: token, fspId: 'lintas' } },
    payer: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '6281200', fspId: 'payerfsp' } },
    amountType: 'SEND',
    amount: { currency: 'USD', amount },
    transactionType: { scenario: 'PAYMENT', initiator: 'PAYER', initiatorType: 'CONSUMER' },
  };
}

/** The hub's answer to a quote: its PUT /quotes/{id}, or that PUT's /error. */
async function quote(token: string, amount: string) {
  const asked = quoteOf(token, amount);
  await payer.send('POST', '/quotes', asked, { 'fspiop-destination': 'lintas' });
  const path = `/fspiop-callbacks/quotes/${asked.quoteId}`;
  const answer = () => payer.receiver.requests.find((request) => request.path.startsWith(path));
  await expect.poll(answer).toBeDefined();
  return { asked, answered: bodyOf(answer() as never) };
}

function prepareOf(answer: any, amount: string) {
  return {
    transferId: randomUUID(),
    payerFsp: 'payerfsp',
    payeeFsp: 'lintas',
    amount: { currency: 'USD', amount },
    ilpPacket: answer.ilpPacket,
    condition: answer.condition,
    expiration: new Date(hub.clock.now().getTime() + 30_000).toISOString(),
  };
}

const errorCodeOf = async (path: string) => bodyOf(await payer.received('PUT', path)).errorInformation.errorCode;

describe('a DFSP pays a Lintas checkout (party ALIAS/{payment token}, payee FSP lintas)', () => {
  test('lookup, quote and transfer: paid once, a repeat replays, another body under the id is 3106', async () => {
    const { id, token } = await checkoutToken(1250);
    await payer.send('GET', `/parties/ALIAS/${token}`);
    const party = bodyOf(await payer.received('PUT', `/parties/ALIAS/${token}`));
    expect(party.party).toMatchObject({ partyIdInfo: { fspId: 'lintas' }, name: 'Kopi Kita' });
    const { answered } = await quote(token, '12.5');
    expect(answered.transferAmount).toEqual({ currency: 'USD', amount: '12.5' });
    const prepare = prepareOf(answered, '12.5');
    await payer.send('POST', '/transfers', prepare);
    const committed = bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}`));
    expect(committed.transferState).toBe('COMMITTED');
    expect(committed.fulfilment).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await merchant.call('GET', `/v1/checkouts/${id}`)).body.status).toBe('paid');

    await payer.send('POST', '/transfers', prepare);
    expect(bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}`)).transferState).toBe('COMMITTED');
    await payer.send('POST', '/transfers', { ...prepare, expiration: new Date(hub.clock.now().getTime() + 9_000) });
    expect(await errorCodeOf(`/transfers/${prepare.transferId}/error`)).toBe('3106');
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });

  test('an unknown token is 3204; a quote for another amount 5101; a condition not the hub quote 3100', async () => {
    await payer.send('GET', '/parties/ALIAS/pt_unknown');
    expect(await errorCodeOf('/parties/ALIAS/pt_unknown/error')).toBe('3204');
    const { token } = await checkoutToken(700);
    const wrong = await quote(token, '7.01');
    expect(wrong.answered.errorInformation.errorCode).toBe('5101');
    const { answered } = await quote(token, '7');
    // A payer that makes up its own condition for the hub's packet: only the hub can make the fulfilment.
    const prepare = { ...prepareOf(answered, '7'), condition: fulfilmentPair('made up').condition };
    await payer.send('POST', '/transfers', prepare);
    expect(await errorCodeOf(`/transfers/${prepare.transferId}/error`)).toBe('3100');
  });

  test("a payment past the DFSP's cap is 4001, and a paid checkout refuses a second payment (5104)", async () => {
    const big = await checkoutToken(4_900);
    const { answered } = await quote(big.token, '49');
    const prepare = prepareOf(answered, '49');
    await payer.send('POST', '/transfers', prepare);
    expect(await errorCodeOf(`/transfers/${prepare.transferId}/error`)).toBe('4001');

    const small = await checkoutToken(100);
    const first = await quote(small.token, '1');
    const paying = prepareOf(first.answered, '1');
    await payer.send('POST', '/transfers', paying);
    await payer.received('PUT', `/transfers/${paying.transferId}`);
    const again = prepareOf(first.answered, '1');
    await payer.send('POST', '/transfers', again);
    expect(await errorCodeOf(`/transfers/${again.transferId}/error`)).toBe('5104');
  });
});
