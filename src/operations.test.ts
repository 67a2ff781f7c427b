import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, bearerClient, startTestHub } from './testing/index.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => hub?.stop());

describe('operations endpoints', () => {
  test('/health and /ready answer 200', async () => {
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    const ready = await fetch(`${hub.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  test('/metrics counts requests by route and status', async () => {
    await bearerClient(hub, hub.operatorToken)('GET', '/v1/participants');
    await bearerClient(hub, 'wrong')('GET', '/v1/participants');
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(text).toMatch(/lintas_http_requests_total\{method="GET",route="\/v1\/participants",status="200"\} 1/);
    expect(text).toMatch(/lintas_http_requests_total\{method="GET",route="\/v1\/participants",status="401"\} 1/);
    expect(text).toContain('lintas_http_request_duration_seconds_bucket');
  });

  test('/openapi.json is a valid OpenAPI 3.1 document covering the routes', async () => {
    const document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/participants', '/v1/merchants', '/v1/hub/keys', '/v1/audit-events']),
    );
  });

  test('/docs serves the API reference', async () => {
    const response = await fetch(`${hub.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  test('/v1/hub/keys publishes the hub Ed25519 key as a JWKS', async () => {
    const jwks = (await (await fetch(`${hub.url}/v1/hub/keys`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: expect.stringMatching(/^hubkey_/) });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});
