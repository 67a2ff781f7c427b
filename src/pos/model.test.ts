import { describe, expect, test } from 'vitest';
import {
  type ChargeEvent,
  type ChargeStatus,
  chargeStatuses,
  holdsCode,
  isPaymentCode,
  judgeAnswer,
  leadingPrefixes,
  maskedCode,
  nextChargeStatus,
  reservationMoveOf,
  routeByPrefix,
} from './model.ts';

describe('payment codes', () => {
  test.each([
    ['6200000000000001', true, '16 digits, the shortest'],
    ['620000000000000000000001', true, '24 digits, the longest'],
    ['620000000000001', false, '15 digits'],
    ['6200000000000000000000001', false, '25 digits'],
    ['62000000000000a1', false, 'a letter'],
    ['6200 0000 0000 0001', false, 'spaces'],
    ['', false, 'empty'],
  ])('%s is a payment code: %s (%s)', (code, valid) => {
    expect(isPaymentCode(code)).toBe(valid);
  });

  test('leading prefixes are every leading run of digits', () => {
    expect(leadingPrefixes('6201')).toEqual(['6', '62', '620', '6201']);
  });

  const owners = [
    { prefix: '62', participantId: 'par_short' },
    { prefix: '6277', participantId: 'par_long' },
    { prefix: '63', participantId: 'par_other' },
  ];
  test.each([
    ['6277000000000001', 'par_long', 'the longest matching prefix wins'],
    ['6278000000000001', 'par_short', 'only the shorter matches'],
    ['6300000000000001', 'par_other', 'another wallet'],
    ['6400000000000001', undefined, 'no prefix matches'],
  ] as [string, string | undefined, string][])('%s routes to %s (%s)', (code, participantId) => {
    expect(routeByPrefix(code, owners)?.participantId).toBe(participantId);
  });

  test('a till sees the last four digits only', () => {
    expect(maskedCode('6200000000001234')).toBe('1234');
  });
});

describe('the charge state machine', () => {
  // Every (status, event) pair: the table is the whole truth, so the test lists it whole.
  const expected: Record<ChargeStatus, Record<ChargeEvent, ChargeStatus | undefined>> = {
    pending: { approve: 'succeeded', decline: 'declined', no_answer: 'unknown', reverse: 'reversed' },
    unknown: { approve: 'succeeded', decline: 'declined', no_answer: undefined, reverse: 'reversed' },
    succeeded: { approve: undefined, decline: undefined, no_answer: undefined, reverse: undefined },
    declined: { approve: undefined, decline: undefined, no_answer: undefined, reverse: undefined },
    reversed: { approve: undefined, decline: undefined, no_answer: undefined, reverse: undefined },
  };
  const rows = chargeStatuses.flatMap((from) =>
    (Object.keys(expected[from]) as ChargeEvent[]).map((event) => [from, event, expected[from][event]] as const),
  );
  test.each(rows)('%s --%s--> %s', (from, event, to) => {
    expect(nextChargeStatus(from, event)).toBe(to);
  });

  test.each([
    ['approve', 'commit'],
    ['decline', 'release'],
    ['reverse', 'release'],
    ['no_answer', 'keep'],
  ] as const)('%s moves the reservation: %s', (event, move) => {
    expect(reservationMoveOf(event)).toBe(move);
  });

  test('only a declined charge gives its code back', () => {
    expect(chargeStatuses.filter((status) => !holdsCode(status))).toEqual(['declined']);
  });
});

describe("judging the wallet's answer", () => {
  const asked = { authorizationId: 'chg_1', amount: 1_250, currency: 'CNY' };
  const good = { authorizationId: 'chg_1', decision: 'approved', amount: 1_250, currency: 'CNY' };
  const answer = (status: number, body: unknown) =>
    judgeAnswer(asked, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });

  // Rows in the order the checks run: the first broken rule names the answer.
  test.each([
    ['a 500', 500, good, 'the wallet answered 500'],
    ['a 201 (only 200 counts)', 201, good, 'the wallet answered 201'],
    ['not JSON', 200, 'approved', 'not a JSON object'],
    ['a JSON array', 200, [good], 'not a JSON object'],
    ['another authorization', 200, { ...good, authorizationId: 'chg_2' }, 'names authorization chg_2'],
    ['another amount', 200, { ...good, amount: 1_251 }, 'amount 1251'],
    ['the amount as text', 200, { ...good, amount: '1250' }, 'amount 1250, not'],
    ['another currency', 200, { ...good, currency: 'IDR' }, 'in IDR'],
    ['an unknown decision', 200, { ...good, decision: 'maybe' }, 'neither approved nor declined'],
    ['a reason too long', 200, { ...good, decision: 'declined', reason: 'x'.repeat(201) }, 'at most 200'],
    ['a reason that is not text', 200, { ...good, decision: 'declined', reason: 42 }, 'at most 200'],
  ])('%s counts as no answer', (_name, status, body, why) => {
    const judged = answer(status, body);
    expect(judged.kind).toBe('no_answer');
    expect(judged.kind === 'no_answer' && judged.why).toContain(why);
  });

  test.each([
    ['approved', good, { kind: 'decided', decision: 'approved', reason: null }],
    [
      'declined with a reason',
      { ...good, decision: 'declined', reason: 'insufficient funds' },
      { kind: 'decided', decision: 'declined', reason: 'insufficient funds' },
    ],
    [
      'declined without one',
      { ...good, decision: 'declined' },
      { kind: 'decided', decision: 'declined', reason: null },
    ],
    [
      'with fields the hub does not know',
      { ...good, walletRef: 'w-1' },
      { kind: 'decided', decision: 'approved', reason: null },
    ],
  ])('%s is a decision', (_name, body, judged) => {
    expect(answer(200, body)).toEqual(judged);
  });
});
