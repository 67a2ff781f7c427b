// `lintas bench fspiop`: P2P transfers between two real Mojaloop SDKs (sdk-scheme-adapter 18.0.2) through the
// hub's FSPIOP API, timed end to end at the payer SDK's outbound API, one after another: party lookup, quote and
// transfer, six FSPIOP messages each through the hub. The hub runs in this process on a SQLite file.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { enrolDfsp, sendAs } from '../src/fspiop/dfsp.test-support.ts';
import {
  payThroughSdk,
  sdkUnavailableReason,
  startCoreBanking,
  startRedis,
  startSdk,
} from '../src/fspiop/mojaloop-sdk.test-support.ts';
import { startTestHub } from '../src/testing/hub.ts';

const defaultTransfers = 100;
const warmupTransfers = 5;
const transferTimeoutMs = 60_000;
const roomyCap = 1_000_000_000;
const payeeMsisdn = '17039811902';

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

export async function runFspiopBench(options: { transfers?: number }): Promise<void> {
  const count = options.transfers ?? defaultTransfers;
  const unavailable = sdkUnavailableReason();
  if (unavailable) throw new Error(`the Mojaloop SDK cannot run here: ${unavailable}`);
  const hub = await startTestHub();
  const redis = await startRedis();
  const payerBank = await startCoreBanking({});
  const payeeBank = await startCoreBanking({ [`MSISDN/${payeeMsisdn}`]: 'Siti Rahayu' });
  const switchUrl = `${hub.url}/fspiop`;
  const sdks = [
    await startSdk({ fspId: 'payerfsp', switchUrl, backend: payerBank, redisUrl: redis.url }),
    await startSdk({ fspId: 'payeefsp', switchUrl, backend: payeeBank, redisUrl: redis.url }),
  ];
  const [payer, payee] = sdks as [(typeof sdks)[0], (typeof sdks)[0]];
  try {
    await enrolDfsp(hub, 'payerfsp', { cap: roomyCap, callbackUrl: payer.inboundUrl });
    await enrolDfsp(hub, 'payeefsp', { cap: roomyCap, callbackUrl: payee.inboundUrl });
    await sendAs(hub, 'payeefsp')('POST', `/participants/MSISDN/${payeeMsisdn}`, { fspId: 'payeefsp' });
    const timings: number[] = [];
    for (let i = 0; i < warmupTransfers + count; i += 1) {
      hub.clock.set(new Date()); // the SDKs stamp expirations with the wall clock
      const sent = await payThroughSdk(payer, {
        homeTransactionId: `bench-${i}`,
        to: payeeMsisdn,
        amount: '1',
        currency: 'USD',
        timeoutMs: transferTimeoutMs,
      });
      if (sent.body.currentState !== 'COMPLETED') throw new Error(`transfer ${i} failed: ${JSON.stringify(sent.body)}`);
      if (i >= warmupTransfers) timings.push(sent.elapsedMs);
    }
    const sorted = [...timings].sort((a, b) => a - b);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      transfers: count,
      engine: 'sqlite',
      msPerTransfer: { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), max: percentile(sorted, 1) },
    };
    writeFileSync(new URL('./results/fspiop.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all(sdks.map((sdk) => sdk.stop()));
    await Promise.all([payerBank.close(), payeeBank.close()]);
    await redis.stop();
    await hub.stop();
  }
}
