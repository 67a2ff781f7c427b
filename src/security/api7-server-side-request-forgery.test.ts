import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpTransportError } from '../http/index.ts';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet } from '../testing/world.ts';
import { expectProblem } from './world.test-support.ts';

/**
 * OWASP API7:2023, Server Side Request Forgery. On a hub that does not
 * allow private addresses (`LINTAS_ALLOW_PRIVATE_URLS=0`, the default), a
 * webhook URL or a participant's callback URL that names a loopback,
 * private, link-local, multicast or metadata address, in any spelling, is
 * refused at registration with `422 url_not_allowed`; and the hub's own
 * outbound port refuses to connect there, whatever the name resolves to at
 * the time, while a live server at that address receives nothing.
 */
let hub: TestHub;
let merchant: TestMerchant;
let server: Server;
let port: number;
const reached: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ config: { allowPrivateUrls: false } });
  const acquirer = await createWallet(hub, 'Ssrf Acquirer', {
    roles: ['issuer', 'acquirer'],
    callbackUrl: 'https://acquirer.invalid/lintas',
  });
  merchant = await createMerchant(hub, acquirer);
  server = createServer((request, response) => {
    reached.push(request.url ?? '');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await hub?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

/** Twenty-one spellings of places a hub must never call. */
const forbidden = [
  'http://127.0.0.1/hook',
  'http://127.1/hook',
  'http://0x7f000001/hook',
  'http://2130706433/hook',
  'http://0177.0.0.1/hook',
  'http://0x7f.0.0.1/hook',
  'http://localhost/hook',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:7f00:1]/hook',
  'http://[0:0:0:0:0:ffff:127.0.0.1]/hook',
  'http://0.0.0.0/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://100.100.100.200/latest/meta-data/',
  'http://10.0.0.1/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://[fe80::1]/hook',
  'http://224.0.0.1/hook',
];

describe('at registration', () => {
  test.each(forbidden)('a webhook endpoint at %s is refused', async (url) => {
    const response = await merchant.call('POST', '/v1/webhook-endpoints', { url, events: ['*'] });
    expectProblem(response, 422, 'url_not_allowed');
  });

  test.each(forbidden)("a participant's callbackUrl at %s is refused", async (url) => {
    const response = await bearerClient(hub, hub.operatorToken)('POST', '/v1/participants', {
      name: 'Ssrf Wallet',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: url,
    });
    expectProblem(response, 422, 'url_not_allowed');
  });

  test('a URL with credentials or another scheme is refused; a public address is taken', async () => {
    for (const url of ['http://user:pass@93.184.215.14/hook', 'ftp://93.184.215.14/hook', 'file:///etc/passwd']) {
      const response = await merchant.call('POST', '/v1/webhook-endpoints', { url, events: ['*'] });
      expect([400, 422], url).toContain(response.status);
    }
    const taken = await merchant.call('POST', '/v1/webhook-endpoints', {
      url: 'http://93.184.215.14/hook',
      events: ['*'],
    });
    expect(taken.status, taken.text).toBe(201);
  });
});

describe('when the hub connects', () => {
  test.each([
    () => `http://localhost:${port}/hook`,
    () => `http://127.1:${port}/hook`,
    () => `http://[::ffff:127.0.0.1]:${port}/hook`,
    () => `http://0x7f000001:${port}/hook`,
  ])('its outbound port refuses %s, and the live server there hears nothing', async (urlOf) => {
    const url = urlOf();
    const error = await hub.ctx.http.request({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 5_000 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error, url).toBeInstanceOf(HttpTransportError);
    expect((error as Error).message).toMatch(/loopback, private, link-local or multicast/);
    expect(reached).toEqual([]);
  });
});
