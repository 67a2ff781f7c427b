/**
 * Mojaloop's own conformance material against Lintas: the testing toolkit runs the hub golden-path
 * collection (src/fspiop/testdata/mojaloop-ttk, unchanged from Mojaloop's test cases) with every
 * `HOST_*` of its environment pointed at the hub's `/fspiop`. The toolkit is the payer DFSP
 * (testingtoolkitdfsp, as the collection has it); the payee is a real `@mojaloop/sdk-scheme-adapter`
 * (payeefsp) with its test API on, whose websocket the collection's payee-side assertions read.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, bearerClient, createParticipant, ledgerCheckOf, startTestHub } from '../testing/index.ts';
import { enrolDfsp } from './dfsp.test-support.ts';
import {
  type CoreBanking,
  type Redis,
  type Sdk,
  sdkUnavailableReason,
  startCoreBanking,
  startRedis,
  startSdk,
} from './mojaloop-sdk.test-support.ts';
import {
  type Toolkit,
  assertionResultsOf,
  assertionsOf,
  environmentWith,
  goldenPath,
  runCollection,
  startToolkit,
  toolkitUnavailableReason,
} from './mojaloop-ttk.test-support.ts';

const unavailable = sdkUnavailableReason() ?? toolkitUnavailableReason();
if (unavailable) console.warn(`skipping the Mojaloop testing toolkit test: ${unavailable}`);

const runTimeoutMs = 120_000;
/** The collection pays 100 USD; the toolkit's DFSP may owe up to 1 000.00. */
const payerCap = 100_000;

let hub: TestHub;
let redis: Redis | undefined;
let bank: CoreBanking | undefined;
let sdk: Sdk | undefined;
let toolkit: Toolkit | undefined;
let participants: { payer: string; payee: string };

beforeAll(async () => {
  if (unavailable) return;
  hub = await startTestHub();
  redis = await startRedis();
  bank = await startCoreBanking({});
  toolkit = await startToolkit();
  sdk = await startSdk({
    fspId: 'payeefsp',
    switchUrl: `${hub.url}/fspiop`,
    backend: bank,
    redisUrl: redis.url,
    // The test API's websocket is what the collection's payee-side assertions read. The SDK answers at 1.1,
    // the version the toolkit asks for (its Accept) and this deployment's DFSPs speak.
    env: {
      ENABLE_TEST_FEATURES: 'true',
      RESOURCE_VERSIONS: 'parties=1.1,participants=1.1,quotes=1.1,transfers=1.1',
    },
  });
  const payer = await enrolDfsp(hub, 'testingtoolkitdfsp', { cap: payerCap, callbackUrl: toolkit.inboundUrl });
  const payee = await enrolDfsp(hub, 'payeefsp', { cap: payerCap, callbackUrl: sdk.inboundUrl });
  participants = { payer: payer.id, payee: payee.id };
}, 180_000);

afterAll(async () => {
  await toolkit?.stop();
  await sdk?.stop();
  await bank?.close();
  await redis?.stop();
  await hub?.stop();
});

/** This deployment's inputs: where each service is (all of them Lintas), and what its DFSPs speak. */
function deploymentInputs(): Record<string, unknown> {
  const fspiop = `${hub.url}/fspiop`;
  const hosts = Object.keys(environmentWith({})).filter((name) => name.startsWith('HOST_'));
  return {
    ...Object.fromEntries(hosts.map((name) => [name, fspiop])),
    CALLBACK_ENDPOINT_BASE_URL: toolkit?.inboundUrl,
    PAYEEFSP_CALLBACK_URL: sdk?.inboundUrl,
    PAYEEFSP_BACKEND_TESTAPI_URL: `http://${bank?.url}`,
    PAYEEFSP_SDK_TESTAPI_URL: sdk?.testUrl.replace(/^ws:/, 'http:'),
    PAYEEFSP_SDK_TESTAPI_WS_URL: sdk?.testUrl,
    expectedPartiesVersion: '1.1',
    expectedParticipantsVersion: '1.1',
    expectedQuotesVersion: '1.1',
    expectedTransfersVersion: '1.1',
  };
}

async function positionOf(participantId: string): Promise<number> {
  const answer = await bearerClient(hub, hub.operatorToken)(
    'GET',
    `/v1/positions?participantId=${participantId}&currency=USD`,
  );
  return answer.body.data[0]?.position ?? 0;
}

/** One run of the collection, with what it moved between the payer's and the payee's positions. */
async function runGoldenPath(collection: ReturnType<typeof goldenPath>) {
  hub.clock.set(new Date()); // the SDK and the toolkit stamp expirations with the wall clock
  const before = { payer: await positionOf(participants.payer), payee: await positionOf(participants.payee) };
  const report = await runCollection(toolkit as Toolkit, collection, environmentWith(deploymentInputs()), runTimeoutMs);
  const results = assertionResultsOf(report);
  const moved = {
    payer: (await positionOf(participants.payer)) - before.payer,
    payee: (await positionOf(participants.payee)) - before.payee,
  };
  return { report, results, failed: results.filter((result) => result.status !== 'SUCCESS'), moved };
}

function onlyPayeeSocketReadsFailed(failed: { name: string; message?: string }[]): boolean {
  return (
    failed.length > 0 &&
    failed.every((result) => result.name.includes('/ Payee-') && /of null \(reading/.test(result.message ?? ''))
  );
}

function logs(): string {
  return [
    `--- toolkit\n${toolkit?.output.join('').slice(-4000)}`,
    `--- payeefsp\n${sdk?.output.join('').slice(-4000)}`,
  ].join('\n');
}

describe.skipIf(unavailable !== undefined)("the Mojaloop testing toolkit's hub golden path", () => {
  test(
    'add party, lookup, quote and transfer: every assertion of the collection passes against Lintas',
    async () => {
      const collection = goldenPath();
      let run = await runGoldenPath(collection);
      if (onlyPayeeSocketReadsFailed(run.failed)) {
        // Seen once in two fresh-clone CI runs: the payee SDK's test-API websocket relayed none of the
        // messages the payee-side assertions read, every other assertion passing. Run it once more, whole.
        console.log(`the payee-side websocket reads failed (${run.failed.length}); the collection runs once more`);
        run = await runGoldenPath(collection);
      }
      const { report, results, failed, moved } = run;
      expect(results.map((result) => result.name)).toEqual(assertionsOf(collection));
      expect(failed, `${JSON.stringify(failed, null, 2)}\n${logs()}`).toEqual([]);
      expect(report.runtimeInformation.totalPassedAssertions).toBe(results.length);

      // The transfer is a Lintas transfer: 100 USD moved, and the ledger agrees.
      expect(moved).toEqual({ payer: -10_000, payee: 10_000 });
      const check = ledgerCheckOf(hub.config.db);
      expect(check.output).toContain('ledger check passed');
      expect(check.status).toBe(0);
    },
    2 * runTimeoutMs + 30_000,
  );
});

describe.skipIf(unavailable !== undefined)("a Lintas wallet pays a Mojaloop DFSP's party", () => {
  test('the hub, as payer FSP, quotes with the payee SDK, reserves, transfers, and commits on its fulfilment', async () => {
    hub.clock.set(new Date());
    const wallet = await createParticipant(hub, {
      name: 'Dompet Lintas',
      roles: ['issuer'],
      currencies: ['USD'],
      netDebitCaps: { USD: payerCap },
    });
    // The collection added MSISDN 27713803912 to the oracle as payeefsp's, and to payeefsp's core banking.
    const payee = { partyIdType: 'MSISDN', partyIdentifier: '27713803912' };
    const started = await wallet.call('POST', '/v1/fspiop/transfers', {
      payee,
      amount: 2500,
      currency: 'USD',
      payer: { ref: 'dompet-1' },
    });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ state: 'QUOTING', payee: { ...payee, fspId: 'payeefsp' } });
    const id = started.body.id;
    await expect
      .poll(async () => (await wallet.call('GET', `/v1/fspiop/transfers/${id}`)).body.state, { timeout: 20_000 })
      .toBe('COMMITTED');
    expect(bank?.transfers.get(id)).toEqual({ amount: '25', currency: 'USD' });
    expect(await positionOf(wallet.id)).toBe(-2_500);
    expect(await positionOf(participants.payee)).toBe(12_500);
    const repeated = await wallet.call('POST', '/v1/fspiop/transfers', {
      payee,
      amount: 2500,
      currency: 'USD',
      payer: { ref: 'dompet-1' },
    });
    expect(repeated.status).toBe(200);
    expect(repeated.body.id).toBe(id);
    const check = ledgerCheckOf(hub.config.db);
    expect(check.output).toContain('ledger check passed');
    expect(check.status).toBe(0);
  }, 60_000);
});
