import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SecurityWorld, startSecurityWorld } from './world.test-support.ts';

/**
 * OWASP API8:2023, Security Misconfiguration. Every answer, an error's too,
 * carries the security headers (a CSP, `nosniff`, a referrer policy, no
 * framing) and says nothing about the server (no `X-Powered-By`); no answer
 * shows a stack trace, a file path or an internal message; no answer
 * grants a cross-origin read (no CORS is configured, so none is sent, not
 * even to a preflight); an answer that shows a secret is `no-store`.
 */
let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});
afterAll(async () => {
  await world?.hub.stop();
});

type Probe = [label: string, send: () => Promise<Response>];

const url = (path: string) => `${world.hub.url}${path}`;
const withOperator = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${world.hub.operatorToken}`, ...(init.headers ?? {}) },
});

const probes = (): Probe[] => [
  ['an API answer', () => fetch(url('/v1/hub/keys'))],
  ['an unknown route', () => fetch(url('/v1/nowhere'))],
  ['a malformed percent-encoding', () => fetch(url('/v1/checkouts/%E0%A4%A'))],
  ['an unauthenticated call', () => fetch(url('/v1/participants'))],
  [
    'a forbidden call',
    () => fetch(url('/v1/participants'), { headers: { authorization: `Bearer ${world.merchantA.secretKey}` } }),
  ],
  [
    'invalid JSON',
    () =>
      fetch(
        url('/v1/participants'),
        withOperator({
          method: 'POST',
          body: '{"name":',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
        }),
      ),
  ],
  [
    'an unsupported media type',
    () =>
      fetch(
        url('/v1/participants'),
        withOperator({
          method: 'POST',
          body: 'name=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'k2' },
        }),
      ),
  ],
  [
    'a body of the wrong shape',
    () =>
      fetch(
        url('/v1/participants'),
        withOperator({
          method: 'POST',
          body: '[1,2,3]',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'k3' },
        }),
      ),
  ],
  ['a method the route does not have', () => fetch(url('/v1/hub/keys'), { method: 'DELETE' })],
  ['a query of the wrong type', () => fetch(url('/v1/participants?limit=lots'), withOperator())],
  ['/health', () => fetch(url('/health'))],
  ['/openapi.json', () => fetch(url('/openapi.json'))],
  ['the hosted checkout page', () => fetch(url(`/checkout/${world.openB.id}`))],
  ['/docs', () => fetch(url('/docs/static/index.html'))],
];

const stackTrace =
  /\n\s+at |node_modules|\/work\/|\/src\/|\.ts:\d+|\.js:\d+|FST_ERR|SyntaxError|TypeError|Kysely|SQLITE|postgres/i;

describe('every answer is configured safely', () => {
  test.each(probes().map(([label], index) => [label, index] as const))('%s', async (_label, index) => {
    const [, send] = probes()[index] as Probe;
    const response = await send();
    const text = await response.text();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src/);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('referrer-policy')).toBeTruthy();
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(text);
      expect(Object.keys(problem).sort()).toEqual(
        expect.arrayContaining(['code', 'detail', 'status', 'title', 'type']),
      );
      expect(problem.status).toBe(response.status);
    }
    if (!response.headers.get('content-type')?.includes('javascript')) expect(text).not.toMatch(stackTrace);
  });

  test('a request the server cannot read as HTTP gets a problem with the same headers, and no internals', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(world.hub.url).port), '127.0.0.1', () =>
        socket.write('BREW /pot HTTP/1.1\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(answer).toContain('"code":"invalid_request"');
    expect(answer).not.toMatch(stackTrace);
  });
});

describe('cross-origin reads', () => {
  test('no CORS is granted, to a simple request or to a preflight', async () => {
    const simple = await fetch(url('/v1/hub/keys'), { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(url('/v1/checkouts'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
  });
});

describe('secrets in transit', () => {
  test('an answer that shows a key once is not stored by any cache', async () => {
    const created = await world.acquirerA.call('POST', '/v1/merchants', {
      name: 'Cache Shop',
      mcc: '5411',
      city: 'Shanghai',
      country: 'CN',
      currency: 'CNY',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toContain('no-store');
    const rotated = await world.acquirerA.call('POST', `/v1/merchants/${created.body.id}/rotate-key`);
    expect(rotated.headers.get('cache-control')).toContain('no-store');
  });

  test('the hosted page never puts the client secret in the URL a server sees', () => {
    const hosted = new URL(world.paidA.checkout.hostedUrl);
    expect(hosted.search).toBe('');
    expect(hosted.pathname).not.toContain(world.paidA.checkout.clientSecret);
    expect(hosted.hash).toContain(world.paidA.checkout.clientSecret);
  });
});
