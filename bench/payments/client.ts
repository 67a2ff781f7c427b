/**
 * The load generator's HTTP side: one undici pool per hub, bearer callers (operator, merchant, buyer) and
 * signed callers (wallets, RFC 9421 with Ed25519), each answer timed. Cheaper per request than fetch, so more
 * of the machine is left to the hub under test.
 */
import type { KeyObject } from 'node:crypto';
import { Pool } from 'undici';
import { signRequest } from '../../src/http/index.ts';

export type Caller = { kind: 'bearer'; token: string } | { kind: 'signed'; keyId: string; privateKey: KeyObject };
export type Answer = { status: number; body: any; elapsedMs: number };
export type Send = (as: Caller, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<Answer>;

let keyCounter = 0;

export function createSender(baseUrl: string, connections: number): { send: Send; close(): Promise<void> } {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const send: Send = async (as, method, path, body) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') {
      keyCounter += 1;
      headers['idempotency-key'] = `bench-${process.pid}-${keyCounter}`;
    }
    const started = performance.now();
    const signed =
      as.kind === 'bearer'
        ? { authorization: `Bearer ${as.token}` }
        : await signRequest(
            { method, url: `${baseUrl}${path}`, headers, ...(text !== undefined ? { body: text } : {}) },
            { keyId: as.keyId, privateKey: as.privateKey, now: () => new Date() },
          );
    const response = await pool.request({
      method,
      path,
      headers: { ...headers, ...signed },
      ...(text !== undefined ? { body: text } : {}),
    });
    const answered = await response.body.text();
    return {
      status: response.statusCode,
      body: answered.length > 0 ? JSON.parse(answered) : undefined,
      elapsedMs: performance.now() - started,
    };
  };
  return { send, close: () => pool.close() };
}

/** The answer's body when it has the status asked for; otherwise a failure that says what came back. */
export function expectStatus(answer: Answer, status: number, what: string): any {
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}
