import { describe, expect, test } from 'vitest';
import {
  type AttemptResult,
  decodeCursor,
  deliveryRetryWindowMs,
  encodeCursor,
  endpointHears,
  isEventType,
  judgeAttempt,
  nextDeliveryStatus,
  retryDelayMs,
  retryDelayMsBase,
  retryDelayMsMax,
} from './model.ts';

describe('retry delays', () => {
  test('grow exponentially from the base, with equal jitter, up to the maximum', () => {
    expect(retryDelayMs(1, 0)).toBe(retryDelayMsBase / 2);
    expect(retryDelayMs(1, 0.999_999)).toBeLessThanOrEqual(retryDelayMsBase);
    expect(retryDelayMs(2, 0)).toBe(retryDelayMsBase);
    expect(retryDelayMs(4, 0)).toBe(4 * retryDelayMsBase);
    expect(retryDelayMs(30, 0)).toBe(retryDelayMsMax / 2);
    expect(retryDelayMs(1000, 0.999_999)).toBeLessThanOrEqual(retryDelayMsMax);
    expect(() => retryDelayMs(0, 0)).toThrow();
    expect(() => retryDelayMs(1, 1)).toThrow();
  });

  test('a delivery failing every time is retried for at least the window, in a bounded number of attempts', () => {
    const start = 0;
    let at = start;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const verdict = judgeAttempt(
        { kind: 'response', status: 500 },
        {
          kind: 'webhook',
          attemptAt: new Date(at),
          giveUpAt: new Date(start + deliveryRetryWindowMs),
          attempts,
          jitterUnit: 0,
        },
      );
      if (verdict.event === 'give_up') break;
      at = verdict.nextAttemptAt!.getTime();
    }
    expect(at - start).toBeGreaterThanOrEqual(deliveryRetryWindowMs);
    expect(attempts).toBeLessThan(70);
  });
});

describe('judging an attempt', () => {
  const now = new Date('2026-01-05T02:00:00.000Z');
  const later = new Date(now.getTime() + 60_000);
  const rows: [string, AttemptResult, 'webhook' | 'callback', Date, string, boolean][] = [
    ['200 is delivered', { kind: 'response', status: 200 }, 'webhook', later, 'succeed', false],
    ['204 is delivered', { kind: 'response', status: 204 }, 'callback', later, 'succeed', false],
    ['2xx after the window is still delivered', { kind: 'response', status: 202 }, 'webhook', now, 'succeed', false],
    ['410 from a merchant disables its endpoint', { kind: 'response', status: 410 }, 'webhook', later, 'give_up', true],
    [
      '410 from a participant is an ordinary failure',
      { kind: 'response', status: 410 },
      'callback',
      later,
      'fail',
      false,
    ],
    [
      'a disabled endpoint is not retried',
      { kind: 'receiver_gone', error: 'disabled' },
      'webhook',
      later,
      'give_up',
      false,
    ],
    ['3xx is not followed and fails', { kind: 'response', status: 302 }, 'webhook', later, 'fail', false],
    ['a timeout fails', { kind: 'no_answer', error: 'timeout' }, 'callback', later, 'fail', false],
    [
      'a refused URL fails and is checked again later',
      { kind: 'not_sent', error: 'url_not_allowed' },
      'webhook',
      later,
      'fail',
      false,
    ],
    [
      'a failure at the end of the window gives up',
      { kind: 'response', status: 500 },
      'webhook',
      now,
      'give_up',
      false,
    ],
  ];
  test.each(rows)('%s', (_name, result, kind, giveUpAt, event, disable) => {
    const verdict = judgeAttempt(result, { kind, attemptAt: now, giveUpAt, attempts: 1, jitterUnit: 0.5 });
    expect(verdict.event).toBe(event);
    expect(verdict.disableEndpoint).toBe(disable);
    expect(verdict.nextAttemptAt === null).toBe(event !== 'fail');
  });
});

describe('delivery states', () => {
  test('one table of transitions', () => {
    expect(nextDeliveryStatus('pending', 'succeed')).toBe('delivered');
    expect(nextDeliveryStatus('pending', 'fail')).toBe('pending');
    expect(nextDeliveryStatus('pending', 'give_up')).toBe('failed');
    expect(nextDeliveryStatus('failed', 'retry')).toBe('pending');
    expect(nextDeliveryStatus('delivered', 'retry')).toBe('pending');
    expect(nextDeliveryStatus('delivered', 'fail')).toBeUndefined();
    expect(nextDeliveryStatus('failed', 'succeed')).toBeUndefined();
  });
});

describe('event types, subscriptions and cursors', () => {
  test('types are dotted lowercase names; * hears all', () => {
    expect(isEventType('checkout.paid')).toBe(true);
    expect(isEventType('channel_application.info_requested')).toBe(true);
    for (const bad of ['checkout', 'Checkout.paid', 'checkout.', '.paid', 'checkout paid', `a.${'b'.repeat(100)}`])
      expect(isEventType(bad), bad).toBe(false);
    expect(endpointHears(['checkout.paid'], 'checkout.paid')).toBe(true);
    expect(endpointHears(['checkout.paid'], 'checkout.expired')).toBe(false);
    expect(endpointHears(['*'], 'transfer.committed')).toBe(true);
  });

  test('cursors round-trip and refuse anything else', () => {
    expect(decodeCursor(encodeCursor({ xid: 7_000_123, seq: 42 }))).toEqual({ xid: 7_000_123, seq: 42 });
    expect(encodeCursor({ xid: 0, seq: 0 })).toBe('0.0');
    for (const bad of ['', 'evt_1', '1', '1.', '-1.2', '1.2.3', '99999999999999999.1'])
      expect(decodeCursor(bad), bad).toBeUndefined();
  });
});
