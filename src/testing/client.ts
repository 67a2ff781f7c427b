import type { KeyObject } from 'node:crypto';
import { generateEd25519KeyPair, publicKeyToJwk, signRequest } from '../http/index.ts';
import type { Clock } from '../platform/index.ts';

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string };

export type RequestOptions = {
  headers?: Record<string, string>;
  idempotencyKey?: string;
  omitIdempotencyKey?: boolean;
  rawBody?: string;
};

let keyCounter = 0;

/** A fresh idempotency key per call unless the test gives one. */
export function freshKey(): string {
  keyCounter += 1;
  return `test-${Date.now()}-${keyCounter}-${Math.random().toString(36).slice(2)}`;
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<ApiResponse> {
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

function bodyAndHeaders(
  method: string,
  body: unknown,
  options: RequestOptions,
): { text: string | undefined; headers: Record<string, string> } {
  const text = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const headers: Record<string, string> = {
    ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  if (method === 'POST' && !options.omitIdempotencyKey)
    headers['idempotency-key'] = options.idempotencyKey ?? freshKey();
  return { text, headers };
}

/** Calls with a bearer token (operator token, merchant key or client secret). */
/** What a test's client needs of a hub: an in-process test hub, or a hub process it started. */
export type HubAddress = { url: string; operatorToken: string; clock: Clock };

export function bearerClient(hub: HubAddress, token: string | undefined) {
  return async (method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> => {
    const { text, headers } = bodyAndHeaders(method, body, options);
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    return send(`${hub.url}${path}`, method, headers, text);
  };
}

export type SignedClient = ReturnType<typeof signedClient>;

/** Calls as a participant, signing each request with RFC 9421. */
export function signedClient(hub: HubAddress, keyId: string, privateKey: KeyObject) {
  return async (method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> => {
    const { text, headers } = bodyAndHeaders(method, body, options);
    const url = `${hub.url}${path}`;
    const signature = await signRequest(
      { method, url, headers, ...(text !== undefined ? { body: text } : {}) },
      { keyId, privateKey, now: () => hub.clock.now() },
    );
    return send(url, method, { ...headers, ...signature }, text);
  };
}

export type TestParticipant = {
  id: string;
  keyId: string;
  privateKey: KeyObject;
  call: SignedClient;
  body: any;
};

let participantCounter = 0;

/** Creates and approves a participant with a fresh key pair. */
export async function createParticipant(
  hub: HubAddress,
  fields: { name?: string; roles?: string[]; currencies?: string[]; [extra: string]: unknown } = {},
  approve = true,
): Promise<TestParticipant> {
  participantCounter += 1;
  const operator = bearerClient(hub, hub.operatorToken);
  const pair = generateEd25519KeyPair();
  const keyId = `kid-${participantCounter}-${Math.random().toString(36).slice(2)}`;
  const created = await operator('POST', '/v1/participants', {
    name: `Wallet ${participantCounter}`,
    roles: ['issuer', 'acquirer'],
    currencies: ['CNY'],
    callbackUrl: 'http://127.0.0.1:9/callbacks',
    publicKeys: [{ kid: keyId, jwk: publicKeyToJwk(pair.publicKey, keyId) }],
    ...fields,
  });
  if (created.status !== 201) throw new Error(`participant creation failed: ${created.text}`);
  let body = created.body;
  if (approve) {
    const approved = await operator('POST', `/v1/participants/${body.id}/approve`);
    if (approved.status !== 200) throw new Error(`participant approval failed: ${approved.text}`);
    body = approved.body;
  }
  return { id: body.id, keyId, privateKey: pair.privateKey, call: signedClient(hub, keyId, pair.privateKey), body };
}
