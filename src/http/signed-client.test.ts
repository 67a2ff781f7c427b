import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceVerify } from '../testing/rfc9421-reference-signer.ts';
import { generateEd25519KeyPair } from './jwk.ts';
import {
  createFetchHttpPort,
  createSignedHttpClient,
  HttpTransportError,
  type HttpPort,
  type HttpRequest,
} from './signed-client.ts';
import { verifySignedRequest, type IncomingSignedRequest, type SignatureVerifierPorts } from './signatures.ts';

const hubKey = generateEd25519KeyPair();
const hubKeyId = 'hub_key_2026';

/** A participant's view of the hub's key, as it would load it from GET /v1/hub/keys. */
function participantPorts(now: () => Date = () => new Date()): SignatureVerifierPorts {
  const seen = new Set<string>();
  return {
    findKey: async (keyId) =>
      keyId === hubKeyId ? { keyId, participantId: 'hub', status: 'active', publicKey: hubKey.publicKey } : undefined,
    useNonce: async (keyId, nonce) => {
      const id = `${keyId} ${nonce}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
    now,
  };
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function incomingOf(request: IncomingMessage, body: Buffer): IncomingSignedRequest {
  const target = request.url ?? '/';
  const mark = target.indexOf('?');
  return {
    method: request.method ?? '',
    authority: request.headers.host ?? '',
    path: mark === -1 ? target : target.slice(0, mark),
    query: mark === -1 ? '?' : target.slice(mark),
    headers: request.headers,
    body: body.length > 0 ? body : undefined,
  };
}

describe('signed client against a real node:http server', () => {
  let server: Server;
  let base: string;
  let ports: SignatureVerifierPorts;
  const received: {
    headers: IncomingMessage['headers'];
    body: string;
    reference: ReturnType<typeof referenceVerify>;
  }[] = [];

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const path = (request.url ?? '').split('?')[0];
    if (path === '/stall') return; // never answers; closed in afterAll
    if (path === '/stall-body') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"partial":');
      return;
    }
    if (path === '/large') {
      response.end('x'.repeat(4096));
      return;
    }
    if (path === '/large-chunked') {
      for (let chunk = 0; chunk < 4; chunk += 1) response.write('y'.repeat(1000)); // no Content-Length
      response.end();
      return;
    }
    if (path === '/redirect') {
      response.writeHead(302, { location: '/elsewhere' }).end();
      return;
    }
    const verdict = await verifySignedRequest(incomingOf(request, body), ports);
    received.push({
      headers: request.headers,
      body: body.toString('utf8'),
      reference: referenceVerify(
        {
          method: request.method ?? '',
          url: `http://${request.headers.host}${request.url}`,
          headers: request.headers as Record<string, string>,
          body,
        },
        { resolveKey: (id) => (id === hubKeyId ? hubKey.publicKey : undefined), now: new Date() },
      ),
    });
    response.writeHead(verdict.ok ? 201 : 401, { 'content-type': 'application/json', 'x-receiver': 'wallet' });
    response.end(JSON.stringify(verdict));
  }

  beforeAll(async () => {
    ports = participantPorts();
    server = createServer((request, response) => {
      route(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = () =>
    createSignedHttpClient({
      http: createFetchHttpPort({ allowPrivate: true }),
      keyId: hubKeyId,
      privateKey: hubKey.privateKey,
      now: () => new Date(),
    });

  it('posts signed JSON that the receiver verifies, with query string and idempotency key', async () => {
    const payload = {
      type: 'charge.authorise',
      chargeId: 'chg_1',
      amount: { amount: 1999, currency: 'CNY' },
      note: 'héllo ✓',
    };
    const response = await client().postJson(`${base}/callbacks/charges?attempt=1`, payload, {
      timeoutMs: 5000,
      idempotencyKey: 'chg_1-authorise',
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ ok: true, keyId: hubKeyId, participantId: 'hub' });
    expect(response.headers['x-receiver']).toBe('wallet');
    const last = received.at(-1);
    expect(last?.headers['idempotency-key']).toBe('chg_1-authorise');
    expect(last?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last?.body ?? '')).toEqual(payload);
    expect(last?.reference).toMatchObject({ ok: true, keyId: hubKeyId, alg: 'ed25519' });
  });

  it('signs every call anew, so a retry is not refused as a replayed nonce', async () => {
    const signed = client();
    const first = await signed.postJson(`${base}/callbacks`, { n: 1 }, { timeoutMs: 5000, idempotencyKey: 'same' });
    const retry = await signed.postJson(`${base}/callbacks`, { n: 1 }, { timeoutMs: 5000, idempotencyKey: 'same' });
    expect([first.status, retry.status]).toEqual([201, 201]);
  });

  it('posts without an idempotency key', async () => {
    const response = await client().postJson(`${base}/callbacks`, [1, 2, 3], { timeoutMs: 5000 });
    expect(response.status).toBe(201);
    expect(received.at(-1)?.headers['idempotency-key']).toBeUndefined();
  });

  it('returns a refusal as a response, not an error', async () => {
    const stranger = generateEd25519KeyPair();
    const signed = createSignedHttpClient({
      http: createFetchHttpPort({ allowPrivate: true }),
      keyId: hubKeyId,
      privateKey: stranger.privateKey,
      now: () => new Date(),
    });
    const response = await signed.postJson(`${base}/callbacks`, { n: 1 }, { timeoutMs: 5000 });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('does not follow redirects', async () => {
    const response = await client().postJson(`${base}/redirect`, {}, { timeoutMs: 5000 });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/elsewhere');
  });

  it('times out when the server never answers', async () => {
    const error = await client()
      .postJson(`${base}/stall`, {}, { timeoutMs: 150 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ kind: 'timeout', name: 'HttpTransportError' });
  });

  it('times out when the body stops half way', async () => {
    const error = await client()
      .postJson(`${base}/stall-body`, {}, { timeoutMs: 150 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it.each(['/large', '/large-chunked'])('refuses to read a body over the limit (%s)', async (path) => {
    const http = createFetchHttpPort({ allowPrivate: true, responseBodyBytesMax: 1024 });
    const error = await http
      .request({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 5000 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'network', message: expect.stringMatching(/exceeds 1024 bytes/) });
  });

  it('reads a body up to the limit', async () => {
    const http = createFetchHttpPort({ allowPrivate: true, responseBodyBytesMax: 4096 });
    const response = await http.request({ method: 'GET', url: `${base}/large-chunked`, headers: {}, timeoutMs: 5000 });
    expect(response.body).toBe('y'.repeat(4000));
  });

  it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await client()
      .postJson(`http://127.0.0.1:${port}/callbacks`, {}, { timeoutMs: 5000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ kind: 'network', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('createFetchHttpPort refuses programmer errors before sending', () => {
  const http = createFetchHttpPort({ allowPrivate: true });
  const cases: { name: string; request: HttpRequest; message: RegExp }[] = [
    {
      name: 'a non-http URL',
      request: { method: 'GET', url: 'file:///etc/passwd', headers: {}, timeoutMs: 1000 },
      message: /not an http\(s\) URL/,
    },
    {
      name: 'a malformed URL',
      request: { method: 'GET', url: 'not a url', headers: {}, timeoutMs: 1000 },
      message: /not an http\(s\) URL/,
    },
    {
      name: 'a zero timeout',
      request: { method: 'GET', url: 'http://127.0.0.1/', headers: {}, timeoutMs: 0 },
      message: /timeoutMs/,
    },
    {
      name: 'an unbounded timeout',
      request: { method: 'GET', url: 'http://127.0.0.1/', headers: {}, timeoutMs: 3_600_000 },
      message: /timeoutMs/,
    },
  ];

  it.each(cases)('$name', async ({ request, message }) => {
    const error = await http.request(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpTransportError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('signed client over a fake port', () => {
  function recordingPort() {
    const sent: HttpRequest[] = [];
    const http: HttpPort = {
      request: async (request) => {
        sent.push(request);
        return { status: 202, headers: {}, body: '' };
      },
    };
    return { sent, http };
  }
  const fixedNow = new Date('2026-01-05T02:00:00.000Z');

  it('sends JSON with the signature headers and the caller deadline, signed at the injected time', async () => {
    const { sent, http } = recordingPort();
    const signed = createSignedHttpClient({
      http,
      keyId: hubKeyId,
      privateKey: hubKey.privateKey,
      now: () => fixedNow,
    });
    await signed.postJson(
      'https://wallet.example/hooks/lintas?v=1',
      { id: 'trf_1' },
      { timeoutMs: 2500, idempotencyKey: 'trf_1' },
    );
    const request = sent[0];
    if (!request) throw new Error('nothing was sent');
    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://wallet.example/hooks/lintas?v=1',
      body: '{"id":"trf_1"}',
      timeoutMs: 2500,
    });
    expect(Object.keys(request.headers).sort()).toEqual([
      'accept',
      'content-digest',
      'content-type',
      'idempotency-key',
      'signature',
      'signature-input',
    ]);
    expect(request.headers['signature-input']).toContain(`created=${fixedNow.getTime() / 1000}`);
    const incoming: IncomingSignedRequest = {
      method: 'POST',
      authority: 'wallet.example',
      path: '/hooks/lintas',
      query: '?v=1',
      headers: request.headers,
      body: Buffer.from(request.body ?? ''),
    };
    expect(
      await verifySignedRequest(
        incoming,
        participantPorts(() => fixedNow),
      ),
    ).toMatchObject({ ok: true, keyId: hubKeyId });
  });

  it('refuses a body JSON cannot express', async () => {
    const { sent, http } = recordingPort();
    const signed = createSignedHttpClient({
      http,
      keyId: hubKeyId,
      privateKey: hubKey.privateKey,
      now: () => fixedNow,
    });
    await expect(signed.postJson('https://wallet.example/', undefined, { timeoutMs: 1000 })).rejects.toThrow(
      /JSON-serialisable/,
    );
    expect(sent).toHaveLength(0);
  });
});
