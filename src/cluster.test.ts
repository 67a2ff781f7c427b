import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemClock } from './platform/index.ts';
import {
  type HubAddress,
  type Receiver,
  createTestDatabase,
  freePort,
  ledgerCheckOf,
  startReceiver,
  testEngine,
} from './testing/index.ts';
import { approveChannel, createCheckout, createMerchant, createWallet, payCheckoutByQr } from './testing/world.ts';
import { type HubProcess, hubProcess } from './torture/index.ts';

const onPostgres = testEngine() === 'postgres';
if (!onPostgres)
  console.log('skipped on SQLite, by design: a SQLite file is served by one process; the PostgreSQL run runs it');

const workers = 2;
const paymentsThatFit = 20;
const paymentsTried = 2 * paymentsThatFit;
const amount = 12_990;
const deliveriesWaitMs = 30_000;
const duplicateWatchMs = 2_000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let hub: HubProcess;
let address: HubAddress;
let webhooks: Receiver;

beforeAll(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase();
  const operatorToken = `op_cluster_${Math.random().toString(36).slice(2)}_${Date.now()}`;
  hub = hubProcess({
    port: await freePort(),
    db: database.location,
    dataDir: database.dataDir,
    env: {
      ...process.env,
      LINTAS_WORKERS: String(workers),
      LINTAS_OPERATOR_TOKEN: operatorToken,
      LINTAS_ALLOW_PRIVATE_URLS: '1',
      LINTAS_LOG_LEVEL: 'warn',
    },
  });
  await hub.start();
  address = { url: hub.url, operatorToken, clock: systemClock };
  webhooks = await startReceiver(systemClock);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await webhooks?.close();
  await database?.drop();
});

/** The processes whose parent is `pid`: the primary's workers. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The command may hold spaces and parentheses; the fields after its closing parenthesis do not.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Run from the sources, the primary also has tsx's esbuild service as a child: only Node ones are workers.
        const node = readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'node';
        return node && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function distinctDeliveriesReach(count: number): Promise<string[]> {
  const deadline = Date.now() + deliveriesWaitMs;
  const ids = () => webhooks.requests.map((request) => request.headers['webhook-id'] ?? '');
  while (new Set(ids()).size < count && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  await new Promise((done) => setTimeout(done, duplicateWatchMs));
  return ids();
}

test.skipIf(!onPostgres)(
  'two hub processes on one PostgreSQL: concurrent payments never pass one tight cap, none is lost, each ' +
    'webhook is delivered once',
  async () => {
    const primary = hub.pid();
    expect(primary).toBeDefined();
    expect(childrenOf(primary as number)).toHaveLength(workers);

    const wallet = await createWallet(address, 'Tight Wallet', { netDebitCaps: { CNY: paymentsThatFit * amount } });
    const acquirer = await createWallet(address, 'Acquirer', { roles: ['acquirer'] });
    const merchant = await createMerchant(address, acquirer);
    await approveChannel(merchant, wallet);
    const endpoint = await merchant.call('POST', '/v1/webhook-endpoints', {
      url: `${webhooks.url}/hooks`,
      events: ['checkout.paid'],
    });
    expect(endpoint.status).toBe(201);
    const checkouts = await Promise.all(Array.from({ length: paymentsTried }, () => createCheckout(merchant)));

    const answers = await Promise.all(
      checkouts.map((checkout, index) => payCheckoutByQr(address, checkout, wallet, `cluster-${index}`)),
    );
    const paid = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status !== 201);
    expect(paid).toHaveLength(paymentsThatFit);
    expect(refused.map((answer) => answer.body.code)).toEqual(
      Array(paymentsTried - paymentsThatFit).fill('limit_exceeded'),
    );

    const listed = await wallet.call('GET', '/v1/transfers?limit=100');
    expect(listed.body.data.map((transfer: { id: string }) => transfer.id).sort()).toEqual(
      paid.map((answer) => answer.body.id).sort(),
    );
    const positions = await wallet.call('GET', '/v1/positions');
    expect(positions.body.data).toEqual([
      expect.objectContaining({ currency: 'CNY', position: -paymentsThatFit * amount, headroom: 0 }),
    ]);

    const delivered = await distinctDeliveriesReach(paymentsThatFit);
    expect(new Set(delivered).size).toBe(paymentsThatFit);
    expect(delivered).toHaveLength(paymentsThatFit);
    expect(ledgerCheckOf(database.location).status).toBe(0);
  },
  120_000,
);
