/**
 * The torture run's clients: wallets (signed, RFC 9421), merchants and the operator (bearer). Each sends one
 * operation until it hears a final answer, as DESIGN asks of a wallet: the same Idempotency-Key and body on
 * every try, signed afresh (new nonce, new `created`) each time.
 */
import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signRequest } from '../http/index.ts';
import type { Clock } from '../platform/index.ts';
import { type Answer, type Journal, type Op, type Outcome, judge, textField } from './model.ts';

export type Credentials = { kind: 'bearer'; token: string } | { kind: 'signed'; keyId: string; privateKey: KeyObject };

export type ApiRequest = { method: 'GET' | 'POST' | 'PUT'; path: string; body?: unknown };

export type SendHooks = {
  /** Called when the hub says another request holds the key: the story is parked until the key frees. */
  onInProgress?: () => void;
};

export type Client = {
  /**
   * Sends until a final answer and records it on the operation (when there is one: reads have none).
   * Undefined when the run gave up first.
   */
  send(op: Op | undefined, as: Credentials, request: ApiRequest, hooks?: SendHooks): Promise<Answer | undefined>;
};

/** A hub that takes longer than this over one request is treated as one that did not answer. */
const requestTimeoutMs = 15_000;

function answerOf(status: number, headers: Headers, text: string): Answer {
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const retryAfter = Number(headers.get('retry-after') ?? Number.NaN);
  return {
    status,
    code: status >= 400 ? textField(body, 'code') : undefined,
    body,
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
  };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

export function createClient(options: {
  baseUrl: string;
  journal: Journal;
  clock: Clock;
  /** When, in epoch milliseconds, clients stop trying; read before every try. */
  giveUpAt: () => number;
}): Client {
  const { baseUrl, journal, clock } = options;

  async function headersOf(as: Credentials, request: ApiRequest, url: string, text: string | undefined, op?: Op) {
    const headers: Record<string, string> = {};
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (op?.key !== undefined) headers['idempotency-key'] = op.key;
    if (as.kind === 'bearer') return { ...headers, authorization: `Bearer ${as.token}` };
    const signature = await signRequest(
      { method: request.method, url, headers, ...(text !== undefined ? { body: text } : {}) },
      { keyId: as.keyId, privateKey: as.privateKey, now: () => clock.now() },
    );
    return { ...headers, ...signature };
  }

  async function sendOnce(as: Credentials, request: ApiRequest, text: string | undefined, op?: Op): Promise<Outcome> {
    const url = `${baseUrl}${request.path}`;
    journal.counters.requests += 1;
    journal.counters.inFlight += 1;
    try {
      const headers = await headersOf(as, request, url, text, op);
      const init = { method: request.method, headers, signal: AbortSignal.timeout(requestTimeoutMs) };
      const response = await fetch(url, text === undefined ? init : { ...init, body: text });
      return { kind: 'answer', answer: answerOf(response.status, response.headers, await response.text()) };
    } catch (error) {
      return { kind: 'no_answer', error: describeError(error) };
    } finally {
      journal.counters.inFlight -= 1;
    }
  }

  async function send(op: Op | undefined, as: Credentials, request: ApiRequest, hooks: SendHooks = {}) {
    const text = request.body === undefined ? undefined : JSON.stringify(request.body);
    for (let tries = 1; clock.now().getTime() < options.giveUpAt(); tries += 1) {
      if (op) op.tries += 1;
      const outcome = await sendOnce(as, request, text, op);
      const verdict = judge(outcome, tries, op?.retries.unauthenticated ?? 0);
      if (verdict.kind === 'final' && outcome.kind === 'answer') {
        if (op) op.final = outcome.answer;
        return outcome.answer;
      }
      if (verdict.kind === 'retry') {
        journal.counters.retries[verdict.reason] += 1;
        if (op) op.retries[verdict.reason] = (op.retries[verdict.reason] ?? 0) + 1;
        if (verdict.reason === 'in_progress') hooks.onInProgress?.();
        await sleep(verdict.afterMs);
      }
    }
    return undefined;
  }

  return { send };
}
