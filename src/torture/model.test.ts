import { describe, expect, test } from 'vitest';
import { type Answer, type Outcome, judge, unauthenticatedRetriesMax } from './model.ts';
import { answerOfPaymentCode, killDelaysMs, paymentCodeOf, planStory, uptimeMsMax, uptimeMsMin } from './plan.ts';

function answered(status: number, code?: string, retryAfterSeconds?: number): Outcome {
  const answer: Answer = { status, code, body: code === undefined ? {} : { code }, retryAfterSeconds };
  return { kind: 'answer', answer };
}

describe('judge: when a client believes an answer (DESIGN, "the flows")', () => {
  // One row per case: the outcome, which try it was, how many 401s were already retried, the verdict.
  test.each([
    ['no answer (refused, reset, timed out)', { kind: 'no_answer', error: 'ECONNREFUSED' }, 1, 0, 'no_answer'],
    ['500', answered(500, 'internal_error'), 1, 0, 'server_error'],
    ['503', answered(503, 'service_unavailable'), 3, 0, 'server_error'],
    ['409 idempotency_request_in_progress', answered(409, 'idempotency_request_in_progress'), 2, 0, 'in_progress'],
    ['429', answered(429, 'rate_limited', 1), 1, 0, 'rate_limited'],
    ['401 on a retry', answered(401, 'nonce_reused'), 2, 0, 'unauthenticated'],
    [
      '401 on a retry, believed after enough of them',
      answered(401, 'nonce_reused'),
      9,
      unauthenticatedRetriesMax,
      'final',
    ],
    ['401 on the first try', answered(401, 'signature_invalid'), 1, 0, 'final'],
    ['201', answered(201), 4, 0, 'final'],
    ['202 (a charge still undecided: final for the request)', answered(202), 1, 0, 'final'],
    ['409 checkout_already_paid', answered(409, 'checkout_already_paid'), 1, 0, 'final'],
    ['409 reference_in_use', answered(409, 'reference_in_use'), 2, 0, 'final'],
    ['422 refund_exceeds_remaining', answered(422, 'refund_exceeds_remaining'), 1, 0, 'final'],
    ['402 payment_declined', answered(402, 'payment_declined'), 1, 0, 'final'],
  ] as const)('%s', (_name, outcome, tries, unauthenticated, expected) => {
    const verdict = judge(outcome as Outcome, tries, unauthenticated);
    expect(verdict.kind === 'final' ? 'final' : verdict.reason).toBe(expected);
    if (verdict.kind === 'retry') expect(verdict.afterMs).toBeGreaterThan(0);
  });

  test('a Retry-After is honoured, up to a bound', () => {
    expect(judge(answered(429, 'rate_limited', 2), 1, 0)).toEqual({
      kind: 'retry',
      reason: 'rate_limited',
      afterMs: 2000,
    });
    expect(judge(answered(429, 'rate_limited', 3600), 1, 0)).toMatchObject({ afterMs: 5000 });
  });
});

describe('the schedule follows from the seed alone', () => {
  test('the same seed gives the same kill moments and stories; another seed others', () => {
    expect(killDelaysMs(42, 30)).toEqual(killDelaysMs(42, 30));
    expect(killDelaysMs(42, 30)).not.toEqual(killDelaysMs(43, 30));
    const stories = (seed: number) => Array.from({ length: 50 }, (_, story) => planStory(seed, story));
    expect(stories(42)).toEqual(stories(42));
    expect(stories(42)).not.toEqual(stories(43));
  });

  test('a story does not depend on the stories before it', () => {
    expect(planStory(7, 123)).toEqual(planStory(7, 123));
    expect(killDelaysMs(7, 10)).toEqual(killDelaysMs(7, 100).slice(0, 10));
  });

  test('kill moments stay within the uptime bounds; every kind of story is drawn', () => {
    for (const delay of killDelaysMs(1, 500)) {
      expect(delay).toBeGreaterThanOrEqual(uptimeMsMin);
      expect(delay).toBeLessThanOrEqual(uptimeMsMax);
    }
    const kinds = new Set(Array.from({ length: 200 }, (_, story) => planStory(1, story).kind));
    expect([...kinds].sort()).toEqual(['checkout', 'close', 'payment_code', 'placard', 'till_qr']);
  });

  test.each(['approve', 'decline', 'silent'] as const)('a payment code tells its wallet to %s', (answer) => {
    const code = paymentCodeOf('82', 123_456, 77, answer);
    expect(code).toMatch(/^82\d{14}$/);
    expect(answerOfPaymentCode(code)).toBe(answer);
  });
});
