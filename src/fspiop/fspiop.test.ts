import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, bearerClient, ledgerCheckOf, startTestHub } from '../testing/index.ts';
import { type TestDfsp, bodyOf, fulfilmentPair, joinDfsp } from './dfsp.test-support.ts';

let hub: TestHub;
let payer: TestDfsp;
let payee: TestDfsp;
const cap = 100_000; // 1 000.00 USD

beforeAll(async () => {
  hub = await startTestHub();
  payer = await joinDfsp(hub, 'payerfsp', { cap });
  payee = await joinDfsp(hub, 'payeefsp', { cap });
});
afterAll(async () => {
  await hub?.stop();
  await Promise.all([payer?.receiver.close(), payee?.receiver.close()]);
});
afterEach(() => {
  // Every message the hub sent conformed to FSPIOP 1.1.
  expect([...payer.violations, ...payee.violations]).toEqual([]);
  payer.receiver.requests.length = 0;
  payee.receiver.requests.length = 0;
});

async function positionOf(dfsp: TestDfsp) {
  const answer = await bearerClient(hub, hub.operatorToken)(
    'GET',
    `/v1/positions?participantId=${dfsp.participant.id}&currency=USD`,
  );
  const [position] = answer.body.data;
  return { position: position?.position ?? 0, reserved: position?.reserved ?? 0 };
}

function prepareOf(amount: string, condition: string, fields: Record<string, unknown> = {}) {
  return {
    transferId: randomUUID(),
    payerFsp: 'payerfsp',
    payeeFsp: 'payeefsp',
    amount: { currency: 'USD', amount },
    ilpPacket: Buffer.from('ilp packet of a test').toString('base64url'),
    condition,
    expiration: new Date(hub.clock.now().getTime() + 60_000).toISOString(),
    ...fields,
  };
}

describe('the oracle and the account lookup', () => {
  test('a DFSP adds its party; others find its owner; an unknown party is 3204', async () => {
    expect(
      (await payee.send('POST', '/participants/MSISDN/6281100', { fspId: 'payeefsp', currency: 'USD' })).status,
    ).toBe(202);
    expect(bodyOf(await payee.received('PUT', '/participants/MSISDN/6281100'))).toEqual({ fspId: 'payeefsp' });
    expect((await payer.send('GET', '/participants/MSISDN/6281100')).status).toBe(202);
    expect(bodyOf(await payer.received('PUT', '/participants/MSISDN/6281100'))).toEqual({ fspId: 'payeefsp' });
    await payer.send('GET', '/participants/MSISDN/999');
    expect(bodyOf(await payer.received('PUT', '/participants/MSISDN/999/error')).errorInformation.errorCode).toBe(
      '3204',
    );
  });

  test('another DFSP cannot take a party that is held (3003), and only its holder deletes it', async () => {
    await payer.send('POST', '/participants/MSISDN/6281100', { fspId: 'payerfsp' });
    expect(bodyOf(await payer.received('PUT', '/participants/MSISDN/6281100/error')).errorInformation.errorCode).toBe(
      '3003',
    );
    await payer.send('DELETE', '/participants/MSISDN/6281100');
    expect(bodyOf(await payer.received('PUT', '/participants/MSISDN/6281100/error')).errorInformation.errorCode).toBe(
      '3204',
    );
  });

  test('GET /parties goes to the owner, and its PUT back to the one who asked', async () => {
    expect((await payer.send('GET', '/parties/MSISDN/6281100')).status).toBe(202);
    const asked = await payee.received('GET', '/parties/MSISDN/6281100');
    expect(asked.headers['fspiop-source']).toBe('payerfsp');
    expect(asked.headers['fspiop-destination']).toBe('payeefsp');
    const party = {
      party: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '6281100', fspId: 'payeefsp' }, name: 'Siti' },
    };
    expect(
      (await payee.send('PUT', '/parties/MSISDN/6281100', party, { 'fspiop-destination': 'payerfsp' })).status,
    ).toBe(200);
    const answered = await payer.received('PUT', '/parties/MSISDN/6281100');
    expect(bodyOf(answered)).toEqual(party);
    // A DFSP's message keeps the version it was sent at (1.0 here); what the hub makes itself is 1.1.
    expect(asked.headers['content-type']).toBe('application/vnd.interoperability.parties+json;version=1.0');
    expect(answered.headers['content-type']).toBe('application/vnd.interoperability.parties+json;version=1.0');
    await payer.send('GET', '/parties/MSISDN/404404');
    const unknown = await payer.received('PUT', '/parties/MSISDN/404404/error');
    expect(bodyOf(unknown).errorInformation.errorCode).toBe('3204');
    expect(unknown.headers['content-type']).toBe('application/vnd.interoperability.parties+json;version=1.1');
  });
});

describe('quotes', () => {
  test('a quote goes to FSPIOP-Destination and its answer comes back; an unknown destination is 3201', async () => {
    const quoteId = randomUUID();
    const quote = {
      quoteId,
      transactionId: randomUUID(),
      payee: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '6281100', fspId: 'payeefsp' } },
      payer: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '6281200', fspId: 'payerfsp' } },
      amountType: 'SEND',
      amount: { currency: 'USD', amount: '10' },
      transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
    };
    expect((await payer.send('POST', '/quotes', quote, { 'fspiop-destination': 'payeefsp' })).status).toBe(202);
    expect(bodyOf(await payee.received('POST', '/quotes'))).toEqual(quote);
    const { condition } = fulfilmentPair(quoteId);
    const answer = {
      transferAmount: { currency: 'USD', amount: '10' },
      expiration: new Date(hub.clock.now().getTime() + 60_000).toISOString(),
      ilpPacket: Buffer.from('quote packet').toString('base64url'),
      condition,
    };
    await payee.send('PUT', `/quotes/${quoteId}`, answer, { 'fspiop-destination': 'payerfsp' });
    expect(bodyOf(await payer.received('PUT', `/quotes/${quoteId}`))).toEqual(answer);
    const lost = randomUUID();
    await payer.send('POST', '/quotes', { ...quote, quoteId: lost }, { 'fspiop-destination': 'nobodyfsp' });
    expect(bodyOf(await payer.received('PUT', `/quotes/${lost}/error`)).errorInformation.errorCode).toBe('3201');
  });
});

describe('transfers', () => {
  test('POST reserves, the fulfilment commits, and the payer hears COMMITTED', async () => {
    const { fulfilment, condition } = fulfilmentPair('happy');
    const prepare = prepareOf('12.5', condition);
    expect((await payer.send('POST', '/transfers', prepare)).status).toBe(202);
    const forwarded = await payee.received('POST', '/transfers');
    expect(bodyOf(forwarded)).toEqual(prepare);
    expect(forwarded.headers['fspiop-source']).toBe('payerfsp');
    expect(await positionOf(payer)).toMatchObject({ reserved: 1250 });
    const fulfil = { fulfilment, completedTimestamp: hub.clock.now().toISOString(), transferState: 'COMMITTED' };
    expect(
      (await payee.send('PUT', `/transfers/${prepare.transferId}`, fulfil, { 'fspiop-destination': 'payerfsp' }))
        .status,
    ).toBe(200);
    const committed = bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}`));
    expect(committed).toMatchObject({ transferState: 'COMMITTED', fulfilment });
    expect(await positionOf(payer)).toEqual({ position: -1250, reserved: 0 });
    expect((await positionOf(payee)).position).toBe(1250);

    // The same POST again is answered with where it stands; another body under the id is 3106.
    await payer.send('POST', '/transfers', prepare);
    await expect.poll(() => payer.receiver.requests.length).toBe(2);
    expect(bodyOf(payer.receiver.requests[1] as never)).toMatchObject({ transferState: 'COMMITTED' });
    await payer.send('POST', '/transfers', { ...prepare, amount: { currency: 'USD', amount: '13' } });
    expect(
      bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}/error`)).errorInformation.errorCode,
    ).toBe('3106');
    // GET tells either party where it stands.
    await payee.send('GET', `/transfers/${prepare.transferId}`);
    expect(bodyOf(await payee.received('PUT', `/transfers/${prepare.transferId}`)).transferState).toBe('COMMITTED');
    expect((await positionOf(payer)).position).toBe(-1250);
  });

  test('a fulfilment that does not match the condition aborts: 3100 to both, the reservation released', async () => {
    const { condition } = fulfilmentPair('right');
    const prepare = prepareOf('5', condition);
    const before = await positionOf(payer);
    await payer.send('POST', '/transfers', prepare);
    await payee.received('POST', '/transfers');
    const wrong = { fulfilment: fulfilmentPair('wrong').fulfilment, transferState: 'COMMITTED' };
    await payee.send('PUT', `/transfers/${prepare.transferId}`, wrong, { 'fspiop-destination': 'payerfsp' });
    const path = `/transfers/${prepare.transferId}/error`;
    expect(bodyOf(await payer.received('PUT', path)).errorInformation.errorCode).toBe('3100');
    expect(bodyOf(await payee.received('PUT', path)).errorInformation.errorCode).toBe('3100');
    expect(await positionOf(payer)).toEqual(before);
  });

  test('a transfer past the payer cap is 4001 and reserves nothing', async () => {
    const before = await positionOf(payer);
    const prepare = prepareOf('5000', fulfilmentPair('big').condition);
    await payer.send('POST', '/transfers', prepare);
    expect(
      bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}/error`)).errorInformation.errorCode,
    ).toBe('4001');
    expect(payee.receiver.requests).toEqual([]);
    expect(await positionOf(payer)).toEqual(before);
  });

  test("the payee's error is passed to the payer and the reservation released", async () => {
    const before = await positionOf(payer);
    const prepare = prepareOf('3', fulfilmentPair('declined').condition);
    await payer.send('POST', '/transfers', prepare);
    await payee.received('POST', '/transfers');
    const error = { errorInformation: { errorCode: '5100', errorDescription: 'Payee rejected' } };
    await payee.send('PUT', `/transfers/${prepare.transferId}/error`, error, { 'fspiop-destination': 'payerfsp' });
    expect(bodyOf(await payer.received('PUT', `/transfers/${prepare.transferId}/error`))).toEqual(error);
    expect(await positionOf(payer)).toEqual(before);
  });

  test('a transfer the payee never fulfils expires: 3303 to both, released', async () => {
    const before = await positionOf(payer);
    const prepare = prepareOf('4', fulfilmentPair('slow').condition);
    await payer.send('POST', '/transfers', prepare);
    await payee.received('POST', '/transfers');
    hub.clock.advanceMs(61_000);
    await hub.workers['fspiop-expiry']?.runOnce();
    const path = `/transfers/${prepare.transferId}/error`;
    expect(bodyOf(await payer.received('PUT', path)).errorInformation.errorCode).toBe('3303');
    expect(bodyOf(await payee.received('PUT', path)).errorInformation.errorCode).toBe('3303');
    expect(await positionOf(payer)).toEqual(before);
    const check = ledgerCheckOf(hub.config.db);
    expect(check.output).toContain('ledger check passed');
    expect(check.status).toBe(0);
  });
});

describe('what the hub refuses at once', () => {
  test.each([
    ['a body that breaks the definition', 'payerfsp', { transferId: 'not-a-uuid' }, 400, '3100'],
    ['an unknown FSPIOP-Source', 'strangerfsp', undefined, 400, '3200'],
  ])('%s', async (_name, fspId, given, status, code) => {
    const body = given ?? prepareOf('1', fulfilmentPair('x').condition);
    const answer = await fetch(`${hub.url}/fspiop/transfers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.interoperability.transfers+json;version=1.0',
        accept: 'application/vnd.interoperability.transfers+json;version=1.0',
        date: new Date().toUTCString(),
        'fspiop-source': fspId,
      },
      body: JSON.stringify(body),
    });
    expect(answer.status).toBe(status);
    expect(((await answer.json()) as any).errorInformation.errorCode).toBe(code);
  });

  test('an unknown resource is 3002 and an unsupported version 3001', async () => {
    const unknown = await payer.send('GET', '/bulkFrogs/1');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).errorInformation.errorCode).toBe('3002');
    const version = await payer.send('POST', '/transfers', prepareOf('1', fulfilmentPair('v').condition), {
      'content-type': 'application/vnd.interoperability.transfers+json;version=9.0',
    });
    expect(version.status).toBe(406);
    expect(((await version.json()) as any).errorInformation.errorCode).toBe('3001');
  });
});
