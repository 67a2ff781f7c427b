/**
 * The client's side of a torture run: what it asked (operations), what it heard, and when an answer is final.
 * Pure types and rules; no I/O.
 */

/** An HTTP answer, as a client read it. */
export type Answer = {
  status: number;
  /** The RFC 9457 problem's `code`, when the answer is one. */
  code: string | undefined;
  body: unknown;
  /** Seconds from `Retry-After`, when given. */
  retryAfterSeconds: number | undefined;
};

/** One try: an answer, or no answer at all (connection refused or reset while the hub is down, a timeout). */
export type Outcome = { kind: 'answer'; answer: Answer } | { kind: 'no_answer'; error: string };

/** Why a client tries again. */
export type RetryReason = 'no_answer' | 'server_error' | 'in_progress' | 'rate_limited' | 'unauthenticated';

export type Verdict = { kind: 'final' } | { kind: 'retry'; reason: RetryReason; afterMs: number };

/** A 401 on a retry may be the hub's lost state, not ours (DESIGN); after this many it is believed. */
export const unauthenticatedRetriesMax = 5;
const noAnswerBackoffMs = [50, 100, 200] as const;
const serverErrorBackoffMs = [100, 250, 500, 1_000] as const;
/** A key left locked by a killed hub stays so for a minute: poll it gently. */
const inProgressBackoffMs = [250, 500, 1_000, 2_000] as const;
const rateLimitedMs = 1_000;
const retryAfterMsMax = 5_000;

function backoff(steps: readonly number[], tries: number): number {
  return steps[Math.min(tries, steps.length) - 1] ?? steps.at(-1) ?? 0;
}

/**
 * Final, as a wallet or a till must read it (DESIGN, "the flows"): a 2xx, or a 4xx refusal that says the thing
 * did not and will not happen. Not final: no answer, a 5xx, `409 idempotency_request_in_progress`, a 429, and a
 * 401 on a retry. `tries` counts this one; `unauthenticated` counts the 401s already retried.
 */
export function judge(outcome: Outcome, tries: number, unauthenticated: number): Verdict {
  if (outcome.kind === 'no_answer')
    return { kind: 'retry', reason: 'no_answer', afterMs: backoff(noAnswerBackoffMs, tries) };
  const { status, code, retryAfterSeconds } = outcome.answer;
  if (status >= 500) return { kind: 'retry', reason: 'server_error', afterMs: backoff(serverErrorBackoffMs, tries) };
  if (status === 409 && code === 'idempotency_request_in_progress')
    return { kind: 'retry', reason: 'in_progress', afterMs: backoff(inProgressBackoffMs, tries) };
  if (status === 429) {
    const afterMs = retryAfterSeconds === undefined ? rateLimitedMs : retryAfterSeconds * 1000;
    return { kind: 'retry', reason: 'rate_limited', afterMs: Math.min(afterMs, retryAfterMsMax) };
  }
  if (status === 401 && tries > 1 && unauthenticated < unauthenticatedRetriesMax)
    return { kind: 'retry', reason: 'unauthenticated', afterMs: backoff(serverErrorBackoffMs, tries) };
  return { kind: 'final' };
}

/** The requests whose answers the audit holds against the database. */
export type OpKind =
  | 'setup'
  | 'checkout'
  | 'attempt'
  | 'resolve'
  | 'transfer'
  | 'till_qr'
  | 'charge'
  | 'refund'
  | 'close';

/** What the client knows it asked, to find the operation's trace in the database. */
export type OpFacts = {
  merchantId?: string;
  walletId?: string;
  /** A checkout's, till QR's or till sale's reference; a transfer's payer.ref. */
  reference?: string;
  amount?: number;
  currency?: string;
  checkoutId?: string;
  /** A refund's payment. */
  paymentTransferId?: string;
  /** A refund's reason, which names the operation. */
  reason?: string;
};

/** One logical operation: one Idempotency-Key (and payer.ref), however many times it was sent. */
export type Op = {
  readonly id: string;
  readonly kind: OpKind;
  readonly story: number;
  readonly key: string | undefined;
  readonly facts: OpFacts;
  tries: number;
  retries: Partial<Record<RetryReason, number>>;
  /** The final answer; undefined while none came (and for good if the run gave up). */
  final: Answer | undefined;
  /** What the client finally believed of the object, when the answer left it open (a till charge it polled). */
  settled: string | undefined;
};

export type RunCounters = {
  requests: number;
  inFlight: number;
  retries: Record<RetryReason, number>;
};

/** Every operation of a run, in the order they were opened, and the request counters. */
export type Journal = {
  readonly ops: Op[];
  readonly counters: RunCounters;
  open(kind: OpKind, story: number, key: string | undefined, facts?: OpFacts): Op;
};

export function createJournal(): Journal {
  const ops: Op[] = [];
  const counters: RunCounters = {
    requests: 0,
    inFlight: 0,
    retries: { no_answer: 0, server_error: 0, in_progress: 0, rate_limited: 0, unauthenticated: 0 },
  };
  return {
    ops,
    counters,
    open: (kind, story, key, facts = {}) => {
      const op: Op = {
        id: `op-${ops.length + 1}`,
        kind,
        story,
        key,
        facts,
        tries: 0,
        retries: {},
        final: undefined,
        settled: undefined,
      };
      ops.push(op);
      return op;
    },
  };
}

/** The body's field `name` as text, or undefined. */
export function textField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** A 2xx: the thing was done. */
export function isSuccess(answer: Answer | undefined): boolean {
  return answer !== undefined && answer.status >= 200 && answer.status < 300;
}
