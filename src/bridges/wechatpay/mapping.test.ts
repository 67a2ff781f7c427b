import { describe, expect, it } from 'vitest';
import {
  errorOf,
  isOrderNotFound,
  notificationOf,
  orderStateOf,
  outTradeNoOf,
  refundStateOf,
  tradeStates,
  transactionOf,
  wechatTimeOf,
} from './mapping.ts';

describe('WeChat Pay objects to the hub', () => {
  it.each([
    ['SUCCESS', 'paid'],
    ['REFUND', 'paid'],
    ['NOTPAY', 'open'],
    ['USERPAYING', 'open'],
    ['CLOSED', 'closed'],
    ['REVOKED', 'closed'],
    ['PAYERROR', 'failed'],
    ['SOMETHING_NEW', undefined],
  ])('trade_state %s is %s', (tradeState, state) => {
    expect(orderStateOf(tradeState)).toBe(state);
  });

  it('maps every documented trade_state', () => {
    for (const tradeState of tradeStates) expect(orderStateOf(tradeState)).toBeDefined();
  });

  it.each([
    ['SUCCESS', 'succeeded'],
    ['PROCESSING', 'pending'],
    ['CLOSED', 'failed'],
    ['ABNORMAL', 'failed'],
    ['?', undefined],
  ])('refund status %s is %s', (status, state) => {
    expect(refundStateOf(status)).toBe(state);
  });

  it('makes an out_trade_no of 6-32 allowed characters from an attempt id', () => {
    expect(outTradeNoOf('att_01JQ3V8ZK6Y2N4B5C7D9E0F1G2')).toBe('att_01JQ3V8ZK6Y2N4B5C7D9E0F1G2');
    expect(outTradeNoOf('a.b')).toBe('ab0000');
    expect(outTradeNoOf(`att_${'X'.repeat(40)}`)).toHaveLength(32);
  });

  it('writes time_expire in China Standard Time', () => {
    expect(wechatTimeOf(new Date('2026-12-07T23:30:00.000Z'))).toBe('2026-12-08T07:30:00+08:00');
  });

  it('reads a transaction only with what the hub needs: a paid one names its transaction_id', () => {
    const open = { mchid: '1', out_trade_no: 'o1', trade_state: 'NOTPAY' };
    expect(transactionOf(open)).toEqual(open);
    expect(transactionOf({ ...open, trade_state: 'SUCCESS' })).toBeUndefined();
    expect(transactionOf({ ...open, trade_state: 'SUCCESS', transaction_id: '42' })).toBeDefined();
    expect(transactionOf({ out_trade_no: 'o1' })).toBeUndefined();
    expect(transactionOf('text')).toBeUndefined();
  });

  it("reads WeChat Pay's errors, and knows the unknown-order answer", () => {
    const error = errorOf(404, '{"code":"ORDER_NOT_EXIST","message":"order does not exist"}');
    expect(error).toEqual({ code: 'ORDER_NOT_EXIST', message: 'order does not exist' });
    expect(isOrderNotFound(404, error)).toBe(true);
    expect(isOrderNotFound(401, errorOf(401, '{"code":"SIGN_ERROR"}'))).toBe(false);
    expect(errorOf(502, '<html>bad gateway</html>').code).toBe('HTTP_502');
  });

  it('reads a notification envelope, refusing one without its encrypted resource', () => {
    const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext: 'c', nonce: 'n', associated_data: 'transaction' };
    const envelope = { id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource };
    expect(notificationOf(envelope)).toEqual(envelope);
    expect(notificationOf({ ...envelope, resource: { nonce: 'n' } })).toBeUndefined();
    expect(notificationOf(null)).toBeUndefined();
  });
});
