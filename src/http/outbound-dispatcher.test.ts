import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DnsLookup, addressRefusal, createOutboundDispatcher } from './outbound-dispatcher.ts';
import { HttpTransportError, createFetchHttpPort } from './signed-client.ts';

/**
 * SSRF at connect time: every outbound request goes through one dispatcher
 * that judges the address it connects to. A local server on 127.0.0.1 stands
 * for whatever must not be reached; it counts what reaches it.
 */
let server: Server;
let port: number;
const reached: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    reached.push(request.url ?? '');
    if (request.url === '/redirect') {
      response.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const strict = createFetchHttpPort({ allowPrivate: false });
const relaxed = createFetchHttpPort({ allowPrivate: true });
afterAll(async () => {
  await strict.close();
  await relaxed.close();
});

async function refusal(url: string, http = strict): Promise<string> {
  const before = reached.length;
  const error = await http.request({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 5_000 }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, `${url} is refused`).toBeInstanceOf(HttpTransportError);
  expect((error as HttpTransportError).kind).toBe('network');
  expect(reached.length, `nothing reached the server for ${url}`).toBe(before);
  return (error as Error).message;
}

describe('the outbound dispatcher refuses private addresses when it connects', () => {
  test.each([
    ['a name that resolves to 127.0.0.1', () => `http://localhost:${port}/hook`],
    ['a short IPv4 form', () => `http://127.1:${port}/hook`],
    ['an IPv4-mapped IPv6 address', () => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['a hexadecimal IPv4 address', () => `http://0x7f000001:${port}/hook`],
    ['a decimal IPv4 address', () => `http://2130706433:${port}/hook`],
    ['an octal IPv4 address', () => `http://0177.0.0.1:${port}/hook`],
    ['the dotted loopback', () => `http://127.0.0.1:${port}/hook`],
    ['IPv6 loopback', () => `http://[::1]:${port}/hook`],
    ['the unspecified address', () => `http://0.0.0.0:${port}/hook`],
  ])('%s', async (_label, url) => {
    expect(await refusal(url())).toMatch(/loopback, private, link-local or multicast/);
  });

  test.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /metadata/],
    ['link-local', 'http://169.254.10.10/', /loopback, private, link-local/],
    ['a private range', 'http://10.0.0.1/', /loopback, private, link-local/],
    ['multicast', 'http://224.0.0.1/', /loopback, private, link-local/],
    ['IPv6 link-local', 'http://[fe80::1]/', /loopback, private, link-local/],
    ['IPv6 unique local', 'http://[fd00::1]/', /loopback, private, link-local/],
    ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/', /loopback, private, link-local/],
  ])('%s is refused before any socket opens', async (_label, url, reason) => {
    expect(await refusal(url)).toMatch(reason);
  });

  test('cloud metadata is refused even when private addresses are allowed', async () => {
    expect(await refusal('http://169.254.169.254/latest/meta-data/', relaxed)).toMatch(/metadata/);
    expect(addressRefusal('fd00:ec2::254', true)).toMatch(/metadata/);
  });

  test('a name whose DNS answer changed to a private address after registration (rebinding) is refused', async () => {
    const answers: Record<string, string[]> = {
      'rebound.example': ['127.0.0.1'],
      'mixed.example': ['93.184.215.14', '10.1.2.3'],
      'mapped.example': ['::ffff:127.0.0.1'],
    };
    const dnsLookup: DnsLookup = (hostname, _options, callback) =>
      callback(
        null,
        (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
    const dispatcher = createOutboundDispatcher({ allowPrivate: false, dnsLookup });
    try {
      for (const name of Object.keys(answers)) {
        const before = reached.length;
        const error = await fetch(`http://${name}:${port}/hook`, { dispatcher }).then(
          () => undefined,
          (thrown: Error) => thrown,
        );
        expect(error, name).toBeInstanceOf(Error);
        expect(String((error as Error & { cause?: Error }).cause?.message), name).toMatch(/resolves to/);
        expect(reached.length).toBe(before);
      }
    } finally {
      await dispatcher.close();
    }
  });

  test('with LINTAS_ALLOW_PRIVATE_URLS=1 the same addresses are reached (demo and tests)', async () => {
    for (const url of [`http://localhost:${port}/ok`, `http://127.1:${port}/ok`, `http://0x7f000001:${port}/ok`]) {
      const response = await relaxed.request({ method: 'GET', url, headers: {}, timeoutMs: 5_000 });
      expect(response.status, url).toBe(200);
    }
  });

  test('a redirect is answered as it is, never followed', async () => {
    const before = reached.length;
    const response = await relaxed.request({
      method: 'POST',
      url: `http://127.0.0.1:${port}/redirect`,
      headers: {},
      body: '{}',
      timeoutMs: 5_000,
    });
    expect(response.status).toBe(302);
    expect(reached.slice(before)).toEqual(['/redirect']);
  });
});
