import type { KeyObject } from 'node:crypto';
import { type Response, fetch } from 'undici';
import { type OutboundDispatcherOptions, createOutboundDispatcher } from './outbound-dispatcher.ts';
import { signRequest } from './sign-request.ts';
import { invariant } from '../platform/index.ts';

/**
 * Outbound HTTP comes in through this port, so tests can answer, delay or
 * drop a callback. An answer with any status is a response; only a request
 * that got no answer throws, as an HttpTransportError.
 */
export type HttpRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
};

/** Header names are lowercase. */
export type HttpResponse = { status: number; headers: Record<string, string>; body: string };

export interface HttpPort {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * `timeout`: no complete answer within the deadline (the peer may still have
 * acted on the request). `network`: no answer at all (refused, reset, DNS),
 * or an answer larger than the hub reads.
 */
export type HttpTransportErrorKind = 'timeout' | 'network';

export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  readonly kind: HttpTransportErrorKind;

  constructor(kind: HttpTransportErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** The most of a response body the hub reads; participants answer callbacks with small JSON. */
export const responseBodyBytesMaxDefault = 1024 * 1024;
/** No outbound call may wait longer than this. */
export const requestTimeoutMsMax = 120_000;

function assertRequestShape(request: HttpRequest): void {
  invariant(
    Number.isInteger(request.timeoutMs) && request.timeoutMs > 0 && request.timeoutMs <= requestTimeoutMsMax,
    `timeoutMs is an integer in 1..${requestTimeoutMsMax} (not ${request.timeoutMs})`,
  );
  const protocol = URL.canParse(request.url) ? new URL(request.url).protocol : undefined;
  invariant(
    protocol === 'http:' || protocol === 'https:',
    `requests go to http(s) URLs only (not an http(s) URL: ${request.url})`,
  );
}

function transportError(error: unknown, request: HttpRequest): HttpTransportError {
  if (error instanceof HttpTransportError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new HttpTransportError(
      'timeout',
      `${request.method} ${request.url}: no answer within ${request.timeoutMs} ms`,
      { cause: error },
    );
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return new HttpTransportError('network', `${request.method} ${request.url}: ${cause}`, { cause: error });
}

async function readBody(response: Response, bytesMax: number): Promise<string> {
  const tooLarge = () => new HttpTransportError('network', `the response body exceeds ${bytesMax} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > bytesMax) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > bytesMax) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The real port, over undici's fetch through the hub's one outbound
 * dispatcher (`createOutboundDispatcher`: no connection to a private,
 * loopback, link-local, multicast or metadata address unless
 * `allowPrivate`). The deadline covers the whole exchange, body included.
 * Redirects are not followed: a signed request is valid for one authority
 * and path, so a 3xx is returned to the caller as it is.
 */
export function createFetchHttpPort(
  options: OutboundDispatcherOptions & { responseBodyBytesMax?: number },
): HttpPort & { close(): Promise<void> } {
  const bytesMax = options.responseBodyBytesMax ?? responseBodyBytesMaxDefault;
  const dispatcher = createOutboundDispatcher(options);
  return {
    close: () => dispatcher.close(),
    async request(request) {
      assertRequestShape(request);
      try {
        const response = await fetch(request.url, {
          dispatcher,
          method: request.method,
          headers: request.headers,
          redirect: 'manual',
          signal: AbortSignal.timeout(request.timeoutMs),
          ...(request.body !== undefined ? { body: request.body } : {}),
        });
        const body = await readBody(response, bytesMax);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return { status: response.status, headers, body };
      } catch (error) {
        throw transportError(error, request);
      }
    },
  };
}

export type SignedHttpClientOptions = {
  http: HttpPort;
  keyId: string;
  privateKey: KeyObject;
  now: () => Date;
};

export type SignedHttpClient = {
  /**
   * POSTs `body` as JSON, signed per RFC 9421 like participants sign theirs
   * (Content-Digest, Content-Type and Idempotency-Key covered). Each call
   * signs anew, so a retry carries a fresh created and nonce; pass the same
   * idempotencyKey to make it the same request to the receiver.
   */
  postJson(url: string, body: unknown, options: { timeoutMs: number; idempotencyKey?: string }): Promise<HttpResponse>;
};

export function createSignedHttpClient(options: SignedHttpClientOptions): SignedHttpClient {
  const { http, keyId, privateKey, now } = options;
  return {
    async postJson(url, body, { timeoutMs, idempotencyKey }) {
      const text = JSON.stringify(body);
      invariant(text !== undefined, 'postJson is given a JSON-serialisable body');
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
      const signature = await signRequest({ method: 'POST', url, headers, body: text }, { keyId, privateKey, now });
      return http.request({ method: 'POST', url, headers: { ...headers, ...signature }, body: text, timeoutMs });
    },
  };
}
