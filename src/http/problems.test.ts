import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, bearerClient, startTestHub } from '../testing/index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
});
afterAll(async () => hub?.stop());

function expectProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code),
    title: expect.any(String),
    detail: expect.any(String),
  });
}

describe('problem details for bad input', () => {
  test('broken JSON', async () => {
    const response = await operator('POST', '/v1/participants', undefined, {
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors).toEqual([{ pointer: '/', detail: 'is not valid JSON' }]);
  });

  test('wrong types: one pointer for every invalid field', async () => {
    const response = await operator('POST', '/v1/participants', {
      name: 42,
      roles: ['issuer', 'bank'],
      currencies: 'CNY',
      callbackUrl: 'ftp://nope',
      netDebitCaps: { CNY: '100' },
    });
    expectProblem(response, 400, 'invalid_request');
    const pointers = response.body.errors.map((error: { pointer: string }) => error.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining(['/name', '/roles/1', '/currencies', '/callbackUrl', '/netDebitCaps/CNY']),
    );
  });

  test('missing fields', async () => {
    const response = await operator('POST', '/v1/participants', { name: 'Half' });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/roles', detail: 'is required' },
        { pointer: '/currencies', detail: 'is required' },
      ]),
    );
    // A bridged wallet needs none (the hub reaches it through its bridge), so this one is checked after the schema.
    const noCallback = await operator('POST', '/v1/participants', {
      name: 'Half',
      roles: ['issuer'],
      currencies: ['CNY'],
    });
    expectProblem(noCallback, 400, 'invalid_request');
    expect(noCallback.body.errors).toEqual([
      { pointer: '/callbackUrl', detail: 'is required (but for a bridged wallet)' },
    ]);
  });

  test('unknown fields are named, not silently dropped', async () => {
    const response = await operator('POST', '/v1/participants', {
      name: 'X',
      roles: ['issuer'],
      currencies: ['CNY'],
      callbackUrl: 'https://x.example',
      colour: 'red',
    });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors).toEqual([{ pointer: '/colour', detail: 'is not a known field' }]);
  });

  test('a body over 1 MiB', async () => {
    const response = await operator('POST', '/v1/participants', { name: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(response, 413, 'body_too_large');
  });

  test('a content type the route does not take', async () => {
    const response = await operator('POST', '/v1/participants', undefined, {
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415, 'unsupported_media_type');
  });

  test('an unknown route is 404 not_found, also for the operator', async () => {
    expectProblem(await operator('GET', '/v1/nothing-here'), 404, 'not_found');
    expectProblem(await operator('GET', '/v1/participants/par_unknown'), 404, 'not_found');
  });

  test('a bad query value is invalid_request with its pointer', async () => {
    const response = await operator('GET', '/v1/participants?limit=500');
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors[0].pointer).toBe('/query/limit');
  });

  test('no credentials or a wrong token is 401 unauthenticated', async () => {
    expectProblem(await bearerClient(hub, undefined)('GET', '/v1/participants'), 401, 'unauthenticated');
    expectProblem(await bearerClient(hub, 'op_wrong')('GET', '/v1/participants'), 401, 'unauthenticated');
  });
});

/** Sends bytes as they are, past any client that would refuse them, and reads the answer until the hub closes. */
function sendRaw(request: string): Promise<{ status: number; headers: Headers; body: any }> {
  const { hostname, port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Headers(
        lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) });
    });
  });
}

function expectHeadersOfEveryAnswer(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('content-security-policy')).toContain("default-src 'none'");
}

describe("Fastify's own errors are problems", () => {
  test.each([
    ['a malformed percent-encoding', '/v1/checkouts/%E0%A4%A'],
    ['a path segment over the router limit', `/v1/checkouts/${'a'.repeat(120)}`],
  ])('%s in the path is 400 invalid_request', async (_what, path) => {
    const response = await operator('GET', path);
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.detail).toMatch(/^the path is not valid/);
    expectHeadersOfEveryAnswer(response.headers);
  });

  test('a method no route has is 404 not_found', async () => {
    expectProblem(await operator('PROPFIND', '/v1/checkouts'), 404, 'not_found');
  });

  test.each([
    ['an unknown method', 'FOO /v1/checkouts HTTP/1.1\r\nHost: hub\r\n\r\n', 400, 'invalid_request'],
    [
      'a control character in the path',
      'GET /v1/check\u0001outs HTTP/1.1\r\nHost: hub\r\n\r\n',
      400,
      'invalid_request',
    ],
    ['no HTTP at all', 'hello\r\n\r\n', 400, 'invalid_request'],
    [
      'headers over the limit',
      `GET /health HTTP/1.1\r\nHost: hub\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
  ])('%s, which Node cannot parse, is %i %s', async (_what, request, status, code) => {
    const response = await sendRaw(request);
    expectProblem(response, status, code);
    expectHeadersOfEveryAnswer(response.headers);
    expect(response.headers.get('connection')).toBe('close');
  });
});
