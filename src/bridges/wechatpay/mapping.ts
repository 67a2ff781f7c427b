/**
 * Between WeChat Pay API v3's objects and the hub's: trade states, amounts
 * (fen, CNY's minor unit, so a Lintas CNY amount is WeChat's `total` as it
 * is), order numbers, times and errors. Pure functions, no I/O.
 */

/** What the hub makes of a wallet order's state, whatever the wallet. */
export type BridgeOrderState = 'open' | 'paid' | 'closed' | 'failed';

export const tradeStates = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const;
export type TradeState = (typeof tradeStates)[number];

/** REFUND is a paid order with a refund: the payment stands. USERPAYING is still open (the user is entering a PIN). */
export function orderStateOf(tradeState: string): BridgeOrderState | undefined {
  switch (tradeState) {
    case 'SUCCESS':
    case 'REFUND':
      return 'paid';
    case 'NOTPAY':
    case 'USERPAYING':
      return 'open';
    case 'CLOSED':
    case 'REVOKED':
      return 'closed';
    case 'PAYERROR':
      return 'failed';
    default:
      return undefined;
  }
}

export type BridgeRefundState = 'pending' | 'succeeded' | 'failed';

export function refundStateOf(status: string): BridgeRefundState | undefined {
  switch (status) {
    case 'SUCCESS':
      return 'succeeded';
    case 'PROCESSING':
      return 'pending';
    case 'CLOSED':
    case 'ABNORMAL':
      return 'failed';
    default:
      return undefined;
  }
}

/** WeChat Pay takes CNY only in domestic orders; a Lintas CNY amount is already in fen. */
export const wechatCurrency = 'CNY';

/** `out_trade_no` is 6-32 of `[A-Za-z0-9_*-]`: the hub's attempt id without its underscore fits. */
export function outTradeNoOf(attemptId: string): string {
  const no = attemptId.replace(/[^A-Za-z0-9_*-]/g, '').slice(0, 32);
  return no.length >= 6 ? no : no.padEnd(6, '0');
}

/** RFC 3339 in China Standard Time, as WeChat Pay writes `time_expire` (`2026-12-07T08:00:00+08:00`). */
export function wechatTimeOf(at: Date): string {
  const shifted = new Date(at.getTime() + 8 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

export type PrepayInput = {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  expiresAt: Date;
  notifyUrl: string;
  amount: number;
};

export type PrepayBody = {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  time_expire: string;
  notify_url: string;
  amount: { total: number; currency: string };
  scene_info?: { payer_client_ip: string; h5_info: { type: string } };
};

/** The body of a Native prepay (`POST /v3/pay/transactions/native`). */
export function nativePrepayBody(input: PrepayInput): PrepayBody {
  return {
    appid: input.appid,
    mchid: input.mchid,
    description: input.description.slice(0, 127) || 'Lintas checkout',
    out_trade_no: input.outTradeNo,
    time_expire: wechatTimeOf(input.expiresAt),
    notify_url: input.notifyUrl,
    amount: { total: input.amount, currency: wechatCurrency },
  };
}

/** H5 adds the scene: the buyer's address, which WeChat Pay requires to check the payer's risk. */
export function h5PrepayBody(input: PrepayInput, payerClientIp: string): PrepayBody {
  return { ...nativePrepayBody(input), scene_info: { payer_client_ip: payerClientIp, h5_info: { type: 'Wap' } } };
}

/** The transaction object of a query or of a decrypted notification, as far as the hub reads it. */
export type WechatTransaction = {
  mchid: string;
  appid?: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_state: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string };
};

/** Reads a transaction object; undefined when it lacks what the hub needs. */
export function transactionOf(value: unknown): WechatTransaction | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Record<string, unknown>;
  if (typeof object.out_trade_no !== 'string' || typeof object.trade_state !== 'string') return undefined;
  if (typeof object.mchid !== 'string') return undefined;
  if (orderStateOf(object.trade_state) === 'paid' && typeof object.transaction_id !== 'string') return undefined;
  return object as WechatTransaction;
}

/** WeChat Pay's error body, `{code, message}`. */
export type WechatError = { code: string; message: string };

export function errorOf(status: number, body: string): WechatError {
  try {
    const parsed = JSON.parse(body) as Partial<WechatError>;
    if (typeof parsed.code === 'string')
      return { code: parsed.code, message: typeof parsed.message === 'string' ? parsed.message : '' };
  } catch {
    // Not JSON: the status stands for the error below.
  }
  return { code: `HTTP_${status}`, message: body.slice(0, 200) };
}

/** The answer to a query of an order the wallet never saw: what a test call of good credentials gets. */
export function isOrderNotFound(status: number, error: WechatError): boolean {
  return status === 404 && (error.code === 'ORDER_NOT_EXIST' || error.code === 'RESOURCE_NOT_EXISTS');
}

export type RefundBody = {
  out_trade_no: string;
  out_refund_no: string;
  reason?: string;
  notify_url: string;
  amount: { refund: number; total: number; currency: string };
};

export function refundBody(input: {
  outTradeNo: string;
  outRefundNo: string;
  refund: number;
  total: number;
  notifyUrl: string;
  reason?: string | undefined;
}): RefundBody {
  return {
    out_trade_no: input.outTradeNo,
    out_refund_no: input.outRefundNo,
    ...(input.reason ? { reason: input.reason.slice(0, 80) } : {}),
    notify_url: input.notifyUrl,
    amount: { refund: input.refund, total: input.total, currency: wechatCurrency },
  };
}

/** A notification's envelope (before decryption). */
export type WechatNotification = {
  id: string;
  event_type: string;
  resource_type: string;
  resource: { algorithm: string; ciphertext: string; nonce: string; associated_data?: string; original_type?: string };
};

export function notificationOf(value: unknown): WechatNotification | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Record<string, unknown>;
  const resource = object.resource as Record<string, unknown> | undefined;
  if (typeof object.id !== 'string' || typeof object.event_type !== 'string') return undefined;
  if (typeof resource !== 'object' || resource === null) return undefined;
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string') return undefined;
  if (typeof resource.algorithm !== 'string') return undefined;
  return object as WechatNotification;
}
