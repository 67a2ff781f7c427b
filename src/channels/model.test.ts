import { describe, expect, test } from 'vitest';
import { type ChannelEvent, type ChannelStatus, mergeBusinessDetails, transitionOf } from './model.ts';

const at = '2026-01-05T02:00:00.000Z';
const events: Record<ChannelEvent['type'], ChannelEvent> = {
  request_info: { type: 'request_info', question: 'q' },
  provide_info: { type: 'provide_info', businessDetails: { note: 'n' } },
  approve: { type: 'approve' },
  reject: { type: 'reject', reason: 'r' },
  suspend: { type: 'suspend', reason: 'r' },
  reinstate: { type: 'reinstate' },
};

/** Every status against every event: the expected status, or undefined when refused. */
const table: [ChannelStatus, ChannelEvent['type'], ChannelStatus | undefined, string | undefined][] = [
  ['pending', 'request_info', 'info_requested', 'infoRequestedAt'],
  ['pending', 'provide_info', undefined, undefined],
  ['pending', 'approve', 'approved', 'approvedAt'],
  ['pending', 'reject', 'rejected', 'rejectedAt'],
  ['pending', 'suspend', undefined, undefined],
  ['pending', 'reinstate', undefined, undefined],
  ['info_requested', 'request_info', undefined, undefined],
  ['info_requested', 'provide_info', 'pending', 'infoProvidedAt'],
  ['info_requested', 'approve', 'approved', 'approvedAt'],
  ['info_requested', 'reject', 'rejected', 'rejectedAt'],
  ['info_requested', 'suspend', undefined, undefined],
  ['info_requested', 'reinstate', undefined, undefined],
  ['approved', 'request_info', undefined, undefined],
  ['approved', 'provide_info', undefined, undefined],
  ['approved', 'approve', undefined, undefined],
  ['approved', 'reject', undefined, undefined],
  ['approved', 'suspend', 'suspended', 'suspendedAt'],
  ['approved', 'reinstate', undefined, undefined],
  ['suspended', 'request_info', undefined, undefined],
  ['suspended', 'provide_info', undefined, undefined],
  ['suspended', 'approve', undefined, undefined],
  ['suspended', 'reject', undefined, undefined],
  ['suspended', 'suspend', undefined, undefined],
  ['suspended', 'reinstate', 'approved', 'reinstatedAt'],
  ['rejected', 'request_info', undefined, undefined],
  ['rejected', 'provide_info', undefined, undefined],
  ['rejected', 'approve', undefined, undefined],
  ['rejected', 'reject', undefined, undefined],
  ['rejected', 'suspend', undefined, undefined],
  ['rejected', 'reinstate', undefined, undefined],
];

describe('channel transitions', () => {
  test.each(table)('%s + %s → %s (stamps %s)', (from, event, to, stamp) => {
    const change = transitionOf({ status: from, businessDetails: {} }, events[event], at);
    expect(change?.status).toBe(to);
    if (stamp) expect(change).toMatchObject({ [stamp]: at, updatedAt: at });
  });

  test('a reason is set by reject and suspend and cleared by approve and reinstate', () => {
    expect(transitionOf({ status: 'approved', businessDetails: {} }, events.suspend, at)?.reason).toBe('r');
    expect(transitionOf({ status: 'suspended', businessDetails: {} }, events.reinstate, at)?.reason).toBeNull();
    expect(transitionOf({ status: 'pending', businessDetails: {} }, events.approve, at)?.reason).toBeNull();
  });

  test('an answer replaces the fields it names and keeps the others', () => {
    const before = { website: 'https://a.example', note: 'old' };
    expect(mergeBusinessDetails(before, { note: 'new' })).toEqual({ website: 'https://a.example', note: 'new' });
    expect(mergeBusinessDetails(before, { expectedMonthlyVolume: 100 })).toEqual({
      ...before,
      expectedMonthlyVolume: 100,
    });
  });
});
