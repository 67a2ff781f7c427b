/**
 * The real Mojaloop SDK scheme adapter, for tests: installed outside the
 * repository's dependencies by scripts/mojaloop-sdk.mjs, started as a child
 * process on loopback (scripts/loopback-preload.cjs), with a small
 * core-banking backend of the test's own, and Redis (the machine's, or one
 * started for the test).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testing/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sdkEntry = `${root}.tmp/mojaloop-sdk/node_modules/@mojaloop/sdk-scheme-adapter/src/index.js`;
const preload = `${root}scripts/loopback-preload.cjs`;
const startTimeoutMs = 30_000;
const stopTimeoutMs = 5_000;
const pollMs = 100;

/** Installs the SDK when it is missing; the reason it cannot be used, or undefined when it can. */
export function sdkUnavailableReason(): string | undefined {
  // Run every time: it does nothing when the SDK is there, and waits for an install another test file began.
  const install = spawnSync(process.execPath, [`${root}scripts/mojaloop-sdk.mjs`], { encoding: 'utf8' });
  if (install.status !== 0 || !existsSync(sdkEntry)) {
    const output = `${install.stdout}${install.stderr}`.trim().split('\n').slice(-5).join(' | ');
    return `@mojaloop/sdk-scheme-adapter could not be installed by scripts/mojaloop-sdk.mjs: ${output}`;
  }
  if (spawnSync('redis-server', ['--version']).status !== 0 && !redisAnswers(6379)) {
    return 'the SDK needs Redis: no redis-server on PATH and none answering on 127.0.0.1:6379';
  }
  return undefined;
}

function redisAnswers(port: number): boolean {
  const ping = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' });
  return ping.stdout?.trim() === 'PONG';
}

export async function waitFor(what: string, ready: () => Promise<boolean> | boolean, timeoutMs = startTimeoutMs) {
  for (let waited = 0; waited < timeoutMs; waited += pollMs) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

export type Redis = { url: string; stop(): Promise<void> };

/** A Redis of the test's own on a free loopback port, so SDK state never outlives the test. */
export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(`redis-server on port ${port}`, () => redisAnswers(port));
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopProcess(server) };
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export type CoreBanking = {
  url: string;
  /** The transfers the SDK told this bank of (as payee), by Mojaloop transfer id. */
  transfers: Map<string, { amount: string; currency: string }>;
  close(): Promise<void>;
};

type Customer = { idType: string; idValue: string; displayName: string; firstName: string; lastName: string };

function customersOf(names: Record<string, string>): Map<string, Customer> {
  const customers = new Map<string, Customer>();
  for (const [key, name] of Object.entries(names)) {
    const [idType = '', idValue = ''] = key.split('/');
    const [firstName = name, ...rest] = name.split(' ');
    customers.set(key, { idType, idValue, displayName: name, firstName, lastName: rest.join(' ') || name });
  }
  return customers;
}

/**
 * The DFSP's own core banking, as the SDK's backend API asks it: its customers, its quotes, its credits.
 * `POST /repository/parties` adds a customer, as the Mojaloop simulator's test API does (the testing
 * toolkit's golden path adds its payee that way).
 */
export async function startCoreBanking(names: Record<string, string>): Promise<CoreBanking> {
  const transfers: CoreBanking['transfers'] = new Map();
  const customers = customersOf(names);
  let credits = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const [, resource, idType, idValue] = (request.url ?? '').split('?')[0]?.split('/') ?? [];
      let answer: { status: number; body: unknown } = { status: 200, body: {} };
      if (request.method === 'GET' && resource === 'parties') {
        const customer = customers.get(`${idType}/${idValue}`);
        answer = customer
          ? { status: 200, body: customer }
          : { status: 404, body: { statusCode: '3204', message: 'no such customer' } };
      } else if (request.method === 'POST' && resource === 'repository' && idType === 'parties') {
        customers.set(`${body.idType}/${body.idValue}`, body);
        answer = { status: 204, body: '' };
      } else if (request.method === 'POST' && resource === 'quoterequests') {
        answer = {
          status: 200,
          body: {
            quoteId: body.quoteId,
            transactionId: body.transactionId,
            transferAmount: body.amount,
            transferAmountCurrency: body.currency,
          },
        };
      } else if (request.method === 'POST' && resource === 'transfers') {
        credits += 1;
        transfers.set(body.transferId, { amount: body.amount, currency: body.currency });
        answer = { status: 200, body: { homeTransactionId: `core-${credits}` } };
      }
      response.statusCode = answer.status;
      if (answer.status === 204) return response.end();
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    transfers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Sdk = {
  fspId: string;
  /** Where the hub sends this DFSP's FSPIOP messages. */
  inboundUrl: string;
  /** The SDK's simple outbound API, which the DFSP's own systems call. */
  outboundUrl: string;
  /** The SDK's test API (with ENABLE_TEST_FEATURES: a websocket of every request and callback it got). */
  testUrl: string;
  /** The SDK's log, for a failing test to print. */
  output: string[];
  stop(): Promise<void>;
};

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts one SDK instance as DFSP `fspId`, whose switch is the hub's FSPIOP base URL; `env` adds to its settings. */
export async function startSdk(options: {
  fspId: string;
  switchUrl: string;
  backend: CoreBanking;
  redisUrl: string;
  env?: Record<string, string>;
}) {
  const [inbound, outbound, test, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    DFSP_ID: options.fspId,
    PEER_ENDPOINT: options.switchUrl.replace(/^http:\/\//, ''),
    BACKEND_ENDPOINT: options.backend.url,
    CACHE_URL: options.redisUrl,
    INBOUND_LISTEN_PORT: String(inbound),
    OUTBOUND_LISTEN_PORT: String(outbound),
    TEST_LISTEN_PORT: String(test),
    METRICS_SERVER_LISTEN_PORT: String(metrics),
    JWS_SIGN: 'false',
    VALIDATE_INBOUND_JWS: 'false',
    AUTO_ACCEPT_PARTY: 'true',
    AUTO_ACCEPT_QUOTES: 'true',
    EXPIRY_SECONDS: '60',
    REQUEST_PROCESSING_TIMEOUT_SECONDS: '20',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--require', preload, sdkEntry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  try {
    await waitFor(`the ${options.fspId} SDK`, async () => {
      if (child.exitCode !== null) throw new Error(`the ${options.fspId} SDK exited: ${output.join('').slice(-2000)}`);
      return (await portOpen(inbound)) && (await portOpen(outbound));
    });
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    fspId: options.fspId,
    inboundUrl: `http://127.0.0.1:${inbound}`,
    outboundUrl: `http://127.0.0.1:${outbound}`,
    testUrl: `ws://127.0.0.1:${test}`,
    output,
    stop: () => stopProcess(child),
  } satisfies Sdk;
}

/** The SDK's answer to a P2P transfer: its status and body (`currentState` COMPLETED, or the last error). */
export type SdkTransfer = { status: number; body: any; elapsedMs: number };

/**
 * What the payer DFSP's own systems send its SDK: a transfer to a party (an MSISDN, or any `idType`),
 * answered once it is final.
 */
export async function payThroughSdk(
  sdk: Sdk,
  input: {
    homeTransactionId: string;
    to: string;
    idType?: string;
    amount: string;
    currency: string;
    timeoutMs: number;
  },
): Promise<SdkTransfer> {
  const started = performance.now();
  const answer = await fetch(`${sdk.outboundUrl}/transfers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      homeTransactionId: input.homeTransactionId,
      from: { idType: 'MSISDN', idValue: '17039811901', displayName: 'Budi Santoso' },
      to: { idType: input.idType ?? 'MSISDN', idValue: input.to },
      amountType: 'SEND',
      currency: input.currency,
      amount: input.amount,
      transactionType: 'TRANSFER',
    }),
    signal: AbortSignal.timeout(input.timeoutMs),
  });
  const body = await answer.json();
  return { status: answer.status, body, elapsedMs: performance.now() - started };
}
