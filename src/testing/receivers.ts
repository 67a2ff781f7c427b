import { type KeyObject, createPublicKey, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { vi } from 'vitest';
import type { Clock } from '../platform/index.ts';
import type { TestHub } from './hub.ts';
import { referenceSignResponse, referenceVerify } from './rfc9421-reference-signer.ts';

/**
 * Real receivers for tests: node:http servers on 127.0.0.1, port 0, that
 * record what they get and answer what the test scripts. They verify with
 * code that shares nothing with the hub's signers: the `standardwebhooks`
 * library for merchants, the reference RFC 9421 verifier for participants.
 */
export type ReceivedRequest = {
  method: string;
  /** Absolute URL as the receiver saw it. */
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver's clock when the request came in: the hub's test clock. */
  at: Date;
};

export type Receiver = {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
};

/**
 * A scripted reply: a status, and a JSON body when the receiver has
 * something to say (else `{}`); `headers` are added, and `text`, when given,
 * is sent instead of the body's JSON (a body other than the one signed).
 */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; text?: string };

/**
 * A wallet's answer to the hub, signed as the hub requires (RFC 9421 over
 * `@status`, `content-digest` and `content-type`) by the reference signer,
 * with the wallet's own key, at the receiver's clock.
 */
export function signedReply(
  wallet: { keyId: string; privateKey: KeyObject },
  clock: Clock,
  reply: { status: number; body: unknown },
): Reply {
  const text = JSON.stringify(reply.body);
  const signature = referenceSignResponse(
    { status: reply.status, headers: { 'content-type': 'application/json' }, body: text },
    {
      keyId: wallet.keyId,
      privateKey: wallet.privateKey,
      created: Math.floor(clock.now().getTime() / 1000),
      nonce: randomUUID(),
      alg: true,
    },
  );
  return { ...reply, headers: signature.headers };
}

export type Answer = (request: ReceivedRequest, index: number) => number | Reply | Promise<number | Reply>;

export async function startReceiver(clock: Clock, answer: Answer = () => 200): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: `http://${incoming.headers.host}${incoming.url}`,
        path: incoming.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: clock.now(),
      };
      const index = requests.length;
      requests.push(request);
      void Promise.resolve(answer(request, index)).then((reply) => {
        const {
          status,
          body = {},
          headers = {},
          text,
        } = typeof reply === 'number' ? ({ status: reply } as Reply) : reply;
        if (outgoing.destroyed) return; // the caller gave up waiting
        outgoing.statusCode = status;
        outgoing.setHeader('content-type', 'application/json');
        for (const [name, value] of Object.entries(headers)) outgoing.setHeader(name, value);
        outgoing.end(text ?? JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers from a script, one status per request; the last one repeats. */
export function scripted(...statuses: number[]): Answer {
  return (_request, index) => statuses[Math.min(index, statuses.length - 1)] ?? 200;
}

/**
 * `Webhook.verify` from the `standardwebhooks` library, run as if the
 * receiver's wall clock read the time the request came in (the library
 * checks the timestamp against `Date.now()`, the hub signs with its test
 * clock). Returns the parsed payload, or throws what the library throws.
 */
export function verifyWebhook(secret: string, request: ReceivedRequest): unknown {
  vi.useFakeTimers({ toFake: ['Date'], now: request.at });
  try {
    return new Webhook(secret).verify(request.body, request.headers);
  } finally {
    vi.useRealTimers();
  }
}

export function webhookVerifies(secret: string, request: ReceivedRequest): boolean {
  try {
    verifyWebhook(secret, request);
    return true;
  } catch {
    return false;
  }
}

/** The hub's public keys as published at `GET /v1/hub/keys`, read over HTTP. */
export async function fetchHubKeys(hub: TestHub): Promise<Map<string, KeyObject>> {
  const response = await fetch(`${hub.url}/v1/hub/keys`);
  const jwks = (await response.json()) as { keys: ({ kid: string } & Record<string, unknown>)[] };
  return new Map(jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk as never, format: 'jwk' })]));
}

/** Verifies a callback with the reference RFC 9421 verifier against the published keys. */
export function verifyCallback(keys: Map<string, KeyObject>, request: ReceivedRequest) {
  return referenceVerify(
    { method: request.method, url: request.url, headers: request.headers, body: request.body },
    { resolveKey: (keyId) => keys.get(keyId), now: request.at },
  );
}
