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
        { pointer: '/callbackUrl', detail: 'is required' },
      ]),
    );
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
