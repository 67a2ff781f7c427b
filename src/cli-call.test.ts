import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DemoState } from './demo/index.ts';
import { type LintasProcess, createTestDatabase, freePort, spawnLintas } from './testing/index.ts';

/**
 * `lintas call` against a running `lintas demo`: each party of demo.json, and
 * the same keys from files, get the hub's answer; a participant's request is
 * accepted only if it was signed as the hub verifies.
 */
const startTimeoutMs = 30_000;
let demo: LintasProcess;
let hubUrl: string;
let dataDir: string;
let state: DemoState;
let dropDatabase: () => Promise<void>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lintas-call-'));
  const database = await createTestDatabase();
  dropDatabase = database.drop;
  hubUrl = `http://127.0.0.1:${await freePort()}`;
  const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
  delete env.LINTAS_OPERATOR_TOKEN;
  demo = spawnLintas(['demo', '--port', new URL(hubUrl).port, '--db', database.location], env);
  await demo.waitFor(/demo: +http/, startTimeoutMs);
  state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoState;
});

afterAll(async () => {
  await demo?.stop();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(args: readonly string[]): { status: number | null; httpStatus: number; body: any; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LINTAS_OPERATOR_TOKEN;
  const run = spawnSync(process.execPath, ['bin/lintas.mjs', 'call', '--hub', hubUrl, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env,
  });
  const [statusLine = '', ...rest] = run.stdout.split('\n');
  let body: unknown;
  try {
    body = JSON.parse(rest.join('\n'));
  } catch {
    body = rest.join('\n');
  }
  return { status: run.status, httpStatus: Number(statusLine.split(' ')[0]), body, stderr: run.stderr };
}

const wallet = (slug: string) => state.wallets.find((candidate) => candidate.slug === slug) as DemoState['wallets'][0];

const checkoutBody = (reference: string) =>
  JSON.stringify({
    amount: 5_000,
    currency: 'CNY',
    reference,
    buyerId: 'buyer-cli',
    lines: [{ kind: 'product', sku: 'TEA', name: 'Tea', category: 'grocery', quantity: 1, unitAmount: 5_000 }],
  });

describe('lintas call', () => {
  test('as a demo wallet: a signed request the hub accepts, and its JSON answer', () => {
    const beta = wallet('beta-wallet');
    const answer = call(['--as', 'beta-wallet', 'GET', `/v1/participants/${beta.id}`]);
    expect(answer.status, answer.stderr).toBe(0);
    expect(answer.httpStatus).toBe(200);
    expect(answer.body).toMatchObject({ id: beta.id, name: 'Beta Wallet' });
  });

  test('as the demo merchant: a POST gets a new Idempotency-Key, printed; the same key again replays', () => {
    const first = call(['--as', 'merchant', 'POST', '/v1/checkouts', checkoutBody('cli-1')]);
    expect(first.httpStatus, first.stderr).toBe(201);
    expect(first.stderr).toMatch(/^Idempotency-Key: cli_\S+\n$/);
    const retry = ['--as', 'merchant', '--idempotency-key', 'cli-retry-1', 'POST', '/v1/checkouts'];
    const once = call([...retry, checkoutBody('cli-2')]);
    const again = call([...retry, checkoutBody('cli-2')]);
    expect(once.httpStatus).toBe(201);
    expect(again.httpStatus).toBe(201);
    expect(again.body.id).toBe(once.body.id);
    expect(again.stderr).toBe('');
  });

  test('as the operator, with the token from the data directory', () => {
    const answer = call(['--as', 'operator', 'GET', '/v1/participants']);
    expect(answer.httpStatus, answer.stderr).toBe(200);
    expect(JSON.stringify(answer.body)).toContain(wallet('lintas-pay').id);
  });

  test('with key files: a JSON key, a PEM key with --key-id, and a file holding a token', () => {
    const lintasPay = wallet('lintas-pay');
    const jsonKey = join(dataDir, 'lintas-pay.json');
    writeFileSync(jsonKey, JSON.stringify({ keyId: lintasPay.keyId, privateKeyPem: lintasPay.privateKeyPem }));
    const pemKey = join(dataDir, 'lintas-pay.pem');
    writeFileSync(pemKey, lintasPay.privateKeyPem);
    const path = `/v1/participants/${lintasPay.id}`;
    expect(call(['--as', jsonKey, 'GET', path]).body).toMatchObject({ id: lintasPay.id });
    expect(call(['--as', pemKey, '--key-id', lintasPay.keyId, 'GET', path]).body).toMatchObject({ id: lintasPay.id });
    const tokenFile = join(dataDir, 'operator-token');
    expect(call(['--as', tokenFile, 'GET', '/v1/participants']).httpStatus).toBe(200);
  });

  test('an answer of 400 or more exits 1 with the problem printed; a signature by the wrong key is refused', () => {
    const refused = call(['--as', 'merchant', 'POST', '/v1/checkouts', '{"amount": -1}']);
    expect(refused.status).toBe(1);
    expect(refused.httpStatus).toBe(400);
    expect(refused.body.code).toBe('invalid_request');
    const forged = join(dataDir, 'forged.json');
    writeFileSync(
      forged,
      JSON.stringify({ keyId: wallet('beta-wallet').keyId, privateKeyPem: wallet('gamma-wallet').privateKeyPem }),
    );
    const unsigned = call(['--as', forged, 'GET', `/v1/participants/${wallet('beta-wallet').id}`]);
    expect(unsigned.status).toBe(1);
    expect(unsigned.httpStatus).toBe(401);
  });

  test('what cannot be sent is one line and exit 1: no such party, a bad body, no hub there', async () => {
    for (const [args, expected] of [
      [['--as', 'delta-wallet', 'GET', '/v1/participants'], 'neither a demo party'],
      [['--as', 'merchant', 'POST', '/v1/checkouts', '{amount'], 'the body is not valid JSON'],
      [['--as', 'merchant', 'FETCH', '/v1/checkouts'], 'method "FETCH" must be one of'],
      [
        ['--as', 'merchant', '--hub', `http://127.0.0.1:${await freePort()}`, 'GET', '/v1/merchant'],
        'cannot reach the hub',
      ],
    ] as const) {
      const failed = call(args);
      expect(failed.status, failed.stderr).toBe(1);
      expect(failed.stderr).toContain(expected);
      expect(failed.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
