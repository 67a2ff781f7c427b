import { systemClock } from '../platform/index.ts';
import { createPrivateKey } from 'node:crypto';
import { signRequest } from '../http/index.ts';
import type { DemoWallet } from './state.ts';

export type DemoResponse = { status: number; body: any };

let keyCounter = 0;

function idempotencyKey(): string {
  keyCounter += 1;
  return `demo-${systemClock.now().getTime()}-${keyCounter}`;
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<DemoResponse> {
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The demo talks to its own hub over HTTP, as any wallet or merchant would. */
export function bearerCall(baseUrl: string, token: string) {
  return (method: string, path: string, body?: unknown): Promise<DemoResponse> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...(text ? { 'content-type': 'application/json' } : {}),
    };
    if (method === 'POST') headers['idempotency-key'] = idempotencyKey();
    return send(`${baseUrl}${path}`, method, headers, text);
  };
}

export function signedCall(baseUrl: string, wallet: Pick<DemoWallet, 'keyId' | 'privateKeyPem'>) {
  const privateKey = createPrivateKey(wallet.privateKeyPem);
  return async (method: string, path: string, body?: unknown): Promise<DemoResponse> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = text ? { 'content-type': 'application/json' } : {};
    if (method === 'POST') headers['idempotency-key'] = idempotencyKey();
    const url = `${baseUrl}${path}`;
    const signature = await signRequest(
      { method, url, headers, ...(text !== undefined ? { body: text } : {}) },
      { keyId: wallet.keyId, privateKey, now: () => new Date() },
    );
    return send(url, method, { ...headers, ...signature }, text);
  };
}
