/**
 * The auditor must name what a crash can do: these hand it made-up databases and journals, one fault each,
 * and read back the violation. A clean pair finds nothing.
 */
import { describe, expect, test } from 'vitest';
import type { EventDeliveryRow, RefundRow, SettlementWindowRow, TransferRow } from '../db/index.ts';
import type { Snapshot } from './audit-store.ts';
import { audit } from './audit.ts';
import type { Answer, Op, OpFacts, OpKind } from './model.ts';
import type { Received } from './receivers.ts';

const at = '2026-01-05T02:00:00.000Z';

function transfer(fields: Partial<TransferRow>): TransferRow {
  return {
    id: 'trf_1',
    kind: 'payment',
    status: 'committed',
    receipt_number: '000000000001',
    payer_id: 'par_wallet',
    payee_id: 'par_acquirer',
    merchant_id: 'mer_1',
    amount: 1_000,
    currency: 'CNY',
    source: 'checkout',
    checkout_id: null,
    payer_ref: 'ref-1',
    payment_transfer_id: null,
    refunded_amount: 0,
    disputed_amount: 0,
    interchange: 0,
    issuer_switch_fee: 0,
    acquirer_switch_fee: 0,
    merchant_discount: 0,
    on_us: 0,
    window_id: 'win_1',
    business_date: '2026-01-05',
    created_at: at,
    committed_at: at,
    released_at: null,
    ...fields,
  };
}

function refund(fields: Partial<RefundRow>): RefundRow {
  return {
    id: 'ref_1',
    merchant_id: 'mer_1',
    status: 'succeeded',
    amount: 300,
    currency: 'CNY',
    payment_transfer_id: 'trf_1',
    transfer_id: 'trf_r1',
    issuer_id: 'par_wallet',
    acquirer_id: 'par_acquirer',
    reason: 'torture refund k-1',
    created_event_id: 'evt_1',
    created_at: at,
    succeeded_at: at,
    ...fields,
  };
}

function window(id: string, status: string): SettlementWindowRow {
  const closed = status === 'open' ? null : at;
  return {
    id,
    status,
    business_date: '2026-01-05',
    open_marker: status === 'open' ? 1 : null,
    opened_at: at,
    closed_at: closed,
    reported_at: closed,
    settled_at: null,
    next_window_id: null,
  };
}

function delivery(fields: Partial<EventDeliveryRow>): EventDeliveryRow {
  return {
    id: 'dlv_1',
    event_id: 'evt_1',
    event_type: 'checkout.paid',
    kind: 'webhook',
    merchant_id: 'mer_1',
    endpoint_id: 'whe_1',
    participant_id: null,
    status: 'delivered',
    attempts: 1,
    next_attempt_at: null,
    give_up_at: at,
    locked_until: null,
    lock_token: null,
    last_attempt_at: at,
    last_response_status: 200,
    last_error: null,
    created_at: at,
    updated_at: at,
    delivered_at: at,
    failed_at: null,
    ...fields,
  };
}

function snapshot(fields: Partial<Snapshot>): Snapshot {
  return {
    transfers: [],
    refunds: [],
    checkouts: [],
    attempts: [],
    tillQrs: [],
    charges: [],
    windows: [window('win_1', 'open')],
    events: [],
    deliveries: [],
    currencySums: [{ currency: 'CNY', sum: 0 }],
    ...fields,
  };
}

function op(kind: OpKind, facts: OpFacts, final: Partial<Answer> | undefined, key = `k-${kind}`): Op {
  const answer = final && { status: 201, code: undefined, body: {}, retryAfterSeconds: undefined, ...final };
  return { id: key, kind, story: 1, key, facts, tries: 3, retries: {}, final: answer, settled: undefined };
}

const refundOp = (amount = 300) =>
  op('refund', { paymentTransferId: 'trf_1', amount, reason: 'torture refund k-1' }, { body: { id: 'ref_1' } }, 'k-1');
const paid = transfer({ refunded_amount: 300 });
const receivedAt = (receiver: string, type: string, subjectId: string): Received => ({
  receivers: new Set([receiver]),
  bodies: new Set(['{}']),
  count: 1,
  type,
  subjectId,
});
const merchants = new Map([['mer_1', 'merchant:toko']]);

function checks(input: { ops?: Op[]; snapshot: Snapshot; received?: Map<string, Received> }): string[] {
  const found = audit({
    ops: input.ops ?? [],
    snapshot: input.snapshot,
    received: input.received ?? new Map(),
    receiverOf: merchants,
  });
  return found.map((violation) => `${violation.kind} ${violation.check}`).sort();
}

describe('the auditor', () => {
  test('finds nothing when each answer holds once', () => {
    expect(checks({ ops: [refundOp()], snapshot: snapshot({ transfers: [paid], refunds: [refund({})] }) })).toEqual([]);
  });

  test('names a refund made twice for one request, which also refunds beyond what was asked', () => {
    const twice = snapshot({
      transfers: [transfer({ refunded_amount: 600 })],
      refunds: [refund({}), refund({ id: 'ref_2', transfer_id: 'trf_r2' })],
    });
    expect(checks({ ops: [refundOp()], snapshot: twice })).toEqual([
      'broken refund_beyond_asked',
      'doubled done_twice',
    ]);
  });

  test('names a refusal that was done all the same (a checkout created, then refused on the retry)', () => {
    const checkout = { id: 'chk_1', merchantId: 'mer_1', reference: 'r-1', status: 'open', transferId: null };
    const refused = op(
      'checkout',
      { merchantId: 'mer_1', reference: 'r-1' },
      { status: 409, code: 'reference_in_use' },
    );
    expect(checks({ ops: [refused], snapshot: snapshot({ checkouts: [checkout] }) })).toEqual([
      'lost refusal_not_held',
    ]);
  });

  test('names a payment answered 201 that is not in the database, and an operation never answered', () => {
    const answered = op(
      'transfer',
      { walletId: 'par_wallet', reference: 'ref-9', amount: 1_000 },
      { body: { id: 'trf_9' } },
    );
    const never = op('refund', { paymentTransferId: 'trf_1', amount: 1, reason: 'r' }, undefined);
    expect(checks({ ops: [answered, never], snapshot: snapshot({}) })).toEqual([
      'lost answer_not_held',
      'lost unfinished',
    ]);
  });

  test('names a checkout paid twice and a payer.ref with two transfers', () => {
    const twice = [
      transfer({ id: 'trf_1', checkout_id: 'chk_1' }),
      transfer({ id: 'trf_2', checkout_id: 'chk_1', payer_ref: 'ref-1' }),
    ];
    expect(checks({ snapshot: snapshot({ transfers: twice }) })).toEqual([
      'doubled paid_twice',
      'doubled payer_ref_twice',
    ]);
  });

  test('names windows closed more often than closes were answered', () => {
    const windows = [window('win_1', 'closed'), window('win_2', 'closed'), window('win_3', 'open')];
    const close = op('close', {}, { status: 200, body: { id: 'win_1' } });
    expect(checks({ ops: [close], snapshot: snapshot({ windows }) })).toEqual(['doubled done_twice']);
  });

  test('names positions that do not sum to zero', () => {
    expect(checks({ snapshot: snapshot({ currencySums: [{ currency: 'IDR', sum: -5 }] }) })).toEqual([
      'broken positions_sum',
    ]);
  });

  test('names a delivery still pending, and one marked delivered that its receiver never got', () => {
    const deliveries = [delivery({ status: 'pending' }), delivery({ id: 'dlv_2', event_id: 'evt_2' })];
    const events = [
      { id: 'evt_1', type: 'payment.succeeded', subjectId: 'trf_1' },
      { id: 'evt_2', type: 'payment.succeeded', subjectId: 'trf_2' },
    ];
    expect(checks({ snapshot: snapshot({ deliveries, events }) })).toEqual([
      'lost not_delivered',
      'lost not_delivered',
    ]);
  });

  test('names one fact told by two events, even when each arrived', () => {
    const checkout = { id: 'chk_1', merchantId: 'mer_1', reference: 'r', status: 'paid', transferId: 'trf_1' };
    const events = [
      { id: 'evt_1', type: 'checkout.paid', subjectId: 'chk_1' },
      { id: 'evt_2', type: 'checkout.paid', subjectId: 'chk_1' },
    ];
    const received = new Map([
      ['evt_1', receivedAt('merchant:toko', 'checkout.paid', 'chk_1')],
      ['evt_2', receivedAt('merchant:toko', 'checkout.paid', 'chk_1')],
    ]);
    expect(checks({ snapshot: snapshot({ checkouts: [checkout], events }), received })).toEqual([
      'doubled fact_told_twice',
    ]);
  });

  test('names a paid checkout whose checkout.paid never reached the merchant', () => {
    const checkout = { id: 'chk_1', merchantId: 'mer_1', reference: 'r', status: 'paid', transferId: 'trf_1' };
    const events = [{ id: 'evt_1', type: 'checkout.paid', subjectId: 'chk_1' }];
    expect(checks({ snapshot: snapshot({ checkouts: [checkout], events }) })).toEqual(['lost checkout_news']);
  });
});
