import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { compactVerify, importSPKI } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import { type TestDfsp, bodyOf, fulfilmentPair, joinDfsp, mojaloopSignature } from './dfsp.test-support.ts';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const payerKeys = rsa();
const payeeKeys = rsa();
const forgerKeys = rsa();
const pem = (keys: ReturnType<typeof rsa>) => keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let hub: TestHub;
let payer: TestDfsp;
let payee: TestDfsp;

beforeAll(async () => {
  hub = await startTestHub();
  payer = await joinDfsp(hub, 'payerfsp', { cap: 100_000, jwsPublicKey: pem(payerKeys) });
  payee = await joinDfsp(hub, 'payeefsp', { cap: 100_000, jwsPublicKey: pem(payeeKeys) });
});
afterAll(async () => {
  await hub?.stop();
  await Promise.all([payer?.receiver.close(), payee?.receiver.close()]);
});
afterEach(() => {
  expect([...payer.violations, ...payee.violations]).toEqual([]);
  payer.receiver.requests.length = 0;
  payee.receiver.requests.length = 0;
});

function prepareOf(condition: string) {
  return {
    transferId: randomUUID(),
    payerFsp: 'payerfsp',
    payeeFsp: 'payeefsp',
    amount: { currency: 'USD', amount: '2' },
    ilpPacket: Buffer.from('ilp packet of a test').toString('base64url'),
    condition,
    expiration: new Date(hub.clock.now().getTime() + 60_000).toISOString(),
  };
}

const signedPrepare = (body: unknown, keys = payerKeys) =>
  mojaloopSignature(keys.privateKey, {
    method: 'POST',
    uri: '/transfers',
    source: 'payerfsp',
    destination: 'payeefsp',
    body,
  });

async function refusal(answer: Response): Promise<{ status: number; code: string }> {
  const body = (await answer.json()) as { errorInformation: { errorCode: string } };
  return { status: answer.status, code: body.errorInformation.errorCode };
}

describe('JWS (FSPIOP-Signature) of a DFSP with a key', () => {
  test('signed messages are taken, and go on with their signature, Date and body untouched', async () => {
    const { fulfilment, condition } = fulfilmentPair('signed');
    const prepare = prepareOf(condition);
    const signature = await signedPrepare(prepare);
    expect((await payer.send('POST', '/transfers', prepare, signature)).status).toBe(202);
    const forwarded = await payee.received('POST', '/transfers');
    for (const name of ['fspiop-signature', 'fspiop-uri', 'fspiop-http-method', 'date', 'fspiop-destination']) {
      expect(forwarded.headers[name], name).toBe(signature[name]);
    }
    expect(forwarded.body).toBe(JSON.stringify(prepare));

    const fulfil = { fulfilment, completedTimestamp: hub.clock.now().toISOString(), transferState: 'COMMITTED' };
    const path = `/transfers/${prepare.transferId}`;
    const payeeSignature = await mojaloopSignature(payeeKeys.privateKey, {
      method: 'PUT',
      uri: path,
      source: 'payeefsp',
      destination: 'payerfsp',
      body: fulfil,
    });
    expect((await payee.send('PUT', path, fulfil, payeeSignature)).status).toBe(200);
    const committed = await payer.received('PUT', path);
    expect(bodyOf(committed)).toEqual(fulfil);
    expect(committed.headers['fspiop-signature']).toBe(payeeSignature['fspiop-signature']);
  });

  test.each([
    ['a signature by another key', async (body: unknown) => signedPrepare(body, forgerKeys)],
    [
      'a body changed after signing',
      async (body: unknown) => signedPrepare({ ...(body as object), amount: { currency: 'USD', amount: '1' } }),
    ],
    ['no signature', async () => ({})],
    [
      'a signature for another resource',
      async (body: unknown) =>
        mojaloopSignature(payerKeys.privateKey, {
          method: 'POST',
          uri: '/quotes',
          source: 'payerfsp',
          destination: 'payeefsp',
          body,
        }),
    ],
  ])('%s is refused at once, 3105, and nothing is reserved', async (_name, sign) => {
    const prepare = prepareOf(fulfilmentPair('forged').condition);
    const headers = await sign(prepare);
    expect(await refusal(await payer.send('POST', '/transfers', prepare, headers))).toEqual({
      status: 400,
      code: '3105',
    });
    expect(payee.receiver.requests).toEqual([]);
  });

  test('a signature whose FSPIOP-Source is another DFSP is refused', async () => {
    const prepare = prepareOf(fulfilmentPair('other').condition);
    const headers = await mojaloopSignature(payerKeys.privateKey, {
      method: 'POST',
      uri: '/transfers',
      source: 'payeefsp',
      destination: 'payeefsp',
      body: prepare,
    });
    expect((await refusal(await payer.send('POST', '/transfers', prepare, headers))).code).toBe('3105');
  });

  test('an unsigned PUT /parties is taken, as the SDK signs those only when told to', async () => {
    const party = {
      party: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '6281100', fspId: 'payeefsp' }, name: 'Siti' },
    };
    const answer = await payee.send('PUT', '/parties/MSISDN/6281100', party, { 'fspiop-destination': 'payerfsp' });
    expect(answer.status).toBe(200);
    await payer.received('PUT', '/parties/MSISDN/6281100');
  });
});

describe("the hub's own messages", () => {
  test('are signed with the key GET /v1/fspiop/jws-key gives, over the body as sent', async () => {
    const key = (await bearerClient(hub, hub.operatorToken)('GET', '/v1/fspiop/jws-key')).body;
    expect(key.fspId).toBe('lintas');
    const unknown = randomUUID();
    await payer.send('GET', `/transfers/${unknown}`);
    const error = await payer.received('PUT', `/transfers/${unknown}/error`);
    expect(error.headers['fspiop-source']).toBe('lintas');
    const { protectedHeader, signature } = JSON.parse(error.headers['fspiop-signature'] as string);
    const token = `${protectedHeader}.${Buffer.from(error.body).toString('base64url')}.${signature}`;
    const verified = await compactVerify(token, await importSPKI(key.publicKey, 'RS256'));
    expect(verified.protectedHeader).toMatchObject({
      alg: 'RS256',
      'FSPIOP-URI': `/transfers/${unknown}/error`,
      'FSPIOP-HTTP-Method': 'PUT',
      'FSPIOP-Source': 'lintas',
      'FSPIOP-Destination': 'payerfsp',
      Date: error.headers.date,
    });
  });
});

describe('registering a JWS key', () => {
  test.each([
    ['not a key', 'not a key'],
    [
      'an EC key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ],
    [
      'a 1024-bit RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ],
  ])('%s is refused, 422 fspiop_jws_key_invalid', async (_name, jwsPublicKey) => {
    const operator = bearerClient(hub, hub.operatorToken);
    const current = (await operator('GET', '/v1/fspiop/dfsps')).body.data.find(
      (dfsp: { fspId: string }) => dfsp.fspId === 'payerfsp',
    );
    const { participantId, callbackUrl, currencies, merchantId } = current;
    const answer = await operator('PUT', '/v1/fspiop/dfsps/payerfsp', {
      participantId,
      callbackUrl,
      currencies,
      merchantId,
      jwsPublicKey,
    });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('fspiop_jws_key_invalid');
  });
});
