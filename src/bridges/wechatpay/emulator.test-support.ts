import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../platform/index.ts';
import {
  answerMessage,
  clockSkewSecondsMax,
  encryptResource,
  parseAuthorization,
  requestMessage,
  signMessage,
  verifyMessage,
} from './signature.ts';

/**
 * A WeChat Pay API v3 stand-in on 127.0.0.1, written from the documented
 * protocol: it checks each merchant's signature and clock, keeps orders and
 * refunds with their states, answers signed with its platform key, and sends
 * signed, encrypted notifications on the documented retry pattern (the
 * first at once, then after each delay) when a test calls `deliverDue`.
 * A test can make it fail, delay, answer USERPAYING or lose a notification.
 */

export type EmulatedMerchant = {
  mchid: string;
  appid: string;
  serialNo: string;
  publicKeyPem: string;
  apiV3Key: string;
};

export type EmulatedOrder = {
  mchid: string;
  appid: string;
  outTradeNo: string;
  description: string;
  total: number;
  notifyUrl: string;
  tradeState: string;
  transactionId: string | null;
  successTime: string | null;
  kind: 'native' | 'h5';
  closedAt: string | null;
};

export type EmulatedRefund = {
  outRefundNo: string;
  outTradeNo: string;
  refund: number;
  status: string;
  refundId: string;
};

export type RecordedRequest = { method: string; url: string; headers: Record<string, string>; body: string };

type PendingNotification = {
  id: string;
  url: string;
  body: string;
  apiV3Key: string;
  attempts: number;
  dueAtMs: number;
};

/** 15 retries over 24 h 4 min, as WeChat Pay documents them (after the first attempt). */
export const documentedRetryDelaysS = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600,
];

export type WechatpayEmulator = Awaited<ReturnType<typeof startWechatpayEmulator>>;

export function generateRsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

export async function startWechatpayEmulator(options: { clock: Clock }) {
  const platform = { serial: `PUB_KEY_ID_${hex(8)}`, ...generateRsaKeyPair() };
  const merchants = new Map<string, EmulatedMerchant>();
  const orders = new Map<string, EmulatedOrder>();
  const refunds = new Map<string, EmulatedRefund>();
  const requests: RecordedRequest[] = [];
  const pending: PendingNotification[] = [];
  const delivered: { id: string; attempts: number; status: number }[] = [];
  const faults = { failures: [] as { status: number; code: string }[], delayMs: 0, userPaying: new Set<string>() };
  const nowSeconds = () => Math.floor(options.clock.now().getTime() / 1000);

  function signedHeaders(body: string): Record<string, string> {
    const timestamp = String(nowSeconds());
    const nonce = hex(16);
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': platform.serial,
      'wechatpay-signature': signMessage(answerMessage(timestamp, nonce, body), platform.privateKeyPem),
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'request-id': hex(12),
    };
  }

  function answer(response: ServerResponse, status: number, value?: unknown): void {
    const body = value === undefined ? '' : JSON.stringify(value);
    response.writeHead(status, { ...(body ? { 'content-type': 'application/json' } : {}), ...signedHeaders(body) });
    response.end(body);
  }

  /** The merchant whose signature the request carries, or the error WeChat Pay answers. */
  function authenticate(request: RecordedRequest): EmulatedMerchant | { status: number; code: string } {
    const fields = parseAuthorization(request.headers.authorization ?? '');
    if (!fields) return { status: 401, code: 'SIGN_ERROR' };
    const merchant = merchants.get(fields.mchid);
    if (!merchant || merchant.serialNo !== fields.serialNo) return { status: 401, code: 'SIGN_ERROR' };
    if (Math.abs(nowSeconds() - fields.timestamp) > clockSkewSecondsMax) return { status: 401, code: 'SIGN_ERROR' };
    const message = requestMessage(request.method, request.url, fields.timestamp, fields.nonce, request.body);
    if (!verifyMessage(message, fields.signature, merchant.publicKeyPem)) return { status: 401, code: 'SIGN_ERROR' };
    return merchant;
  }

  function transactionOf(order: EmulatedOrder) {
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      trade_state: order.tradeState,
      trade_state_desc: order.tradeState,
      ...(order.transactionId ? { transaction_id: order.transactionId, trade_type: order.kind.toUpperCase() } : {}),
      ...(order.successTime ? { success_time: order.successTime } : {}),
      amount: { total: order.total, currency: 'CNY', ...(order.transactionId ? { payer_total: order.total } : {}) },
    };
  }

  function prepay(merchant: EmulatedMerchant, body: string, kind: 'native' | 'h5') {
    const input = JSON.parse(body) as {
      appid: string;
      mchid: string;
      out_trade_no: string;
      description: string;
      notify_url: string;
      amount: { total: number; currency?: string };
    };
    if (input.mchid !== merchant.mchid || input.appid !== merchant.appid)
      return { status: 400, value: { code: 'PARAM_ERROR', message: 'mchid or appid does not match' } };
    if (orders.has(input.out_trade_no))
      return { status: 400, value: { code: 'OUT_TRADE_NO_USED', message: 'out_trade_no used' } };
    const order: EmulatedOrder = {
      mchid: merchant.mchid,
      appid: merchant.appid,
      outTradeNo: input.out_trade_no,
      description: input.description,
      total: input.amount.total,
      notifyUrl: input.notify_url,
      tradeState: 'NOTPAY',
      transactionId: null,
      successTime: null,
      kind,
      closedAt: null,
    };
    orders.set(order.outTradeNo, order);
    const prepayId = `wx${hex(14)}`;
    if (kind === 'native') return { status: 200, value: { code_url: `weixin://wxpay/bizpayurl?pr=${hex(5)}` } };
    return {
      status: 200,
      value: { h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepayId}` },
    };
  }

  function route(merchant: EmulatedMerchant, request: RecordedRequest): { status: number; value?: unknown } {
    const url = new URL(request.url, 'http://emulator');
    const path = url.pathname;
    if (request.method === 'POST' && path === '/v3/pay/transactions/native')
      return prepay(merchant, request.body, 'native');
    if (request.method === 'POST' && path === '/v3/pay/transactions/h5') return prepay(merchant, request.body, 'h5');
    const byNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
    if (byNo) {
      const order = orders.get(decodeURIComponent(byNo[1] as string));
      if (!order || order.mchid !== merchant.mchid)
        return { status: 404, value: { code: 'ORDER_NOT_EXIST', message: 'order does not exist' } };
      if (request.method === 'GET') {
        if (faults.userPaying.has(order.outTradeNo))
          return { status: 200, value: { ...transactionOf(order), trade_state: 'USERPAYING' } };
        return { status: 200, value: transactionOf(order) };
      }
      if (order.tradeState === 'SUCCESS' || order.tradeState === 'REFUND')
        return { status: 400, value: { code: 'ORDERPAID', message: 'order paid' } };
      order.tradeState = 'CLOSED';
      order.closedAt = options.clock.now().toISOString();
      return { status: 204 };
    }
    if (path === '/v3/refund/domestic/refunds' && request.method === 'POST') return refund(request.body);
    const refundByNo = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (refundByNo && request.method === 'GET') {
      const found = refunds.get(decodeURIComponent(refundByNo[1] as string));
      if (!found) return { status: 404, value: { code: 'RESOURCE_NOT_EXISTS', message: 'refund does not exist' } };
      return { status: 200, value: refundOf(found) };
    }
    return { status: 404, value: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } };
  }

  function refundOf(found: EmulatedRefund) {
    return {
      refund_id: found.refundId,
      out_refund_no: found.outRefundNo,
      out_trade_no: found.outTradeNo,
      status: found.status,
      amount: { refund: found.refund, currency: 'CNY' },
    };
  }

  function refund(body: string): { status: number; value: unknown } {
    const input = JSON.parse(body) as { out_trade_no: string; out_refund_no: string; amount: { refund: number } };
    const order = orders.get(input.out_trade_no);
    if (!order || (order.tradeState !== 'SUCCESS' && order.tradeState !== 'REFUND'))
      return { status: 404, value: { code: 'RESOURCE_NOT_EXISTS', message: 'order not paid' } };
    const refunded = [...refunds.values()].filter(
      (one) => one.outTradeNo === order.outTradeNo && one.status !== 'CLOSED',
    );
    if (refunded.reduce((sum, one) => sum + one.refund, 0) + input.amount.refund > order.total)
      return { status: 400, value: { code: 'INVALID_REQUEST', message: 'refund exceeds the order' } };
    const existing = refunds.get(input.out_refund_no);
    if (existing) return { status: 200, value: refundOf(existing) };
    const made = {
      outRefundNo: input.out_refund_no,
      outTradeNo: order.outTradeNo,
      refund: input.amount.refund,
      status: 'PROCESSING',
      refundId: `50${hex(14)}`,
    };
    refunds.set(made.outRefundNo, made);
    order.tradeState = 'REFUND';
    return { status: 200, value: refundOf(made) };
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers[name] = value;
    const request = {
      method: incoming.method ?? 'GET',
      url: incoming.url ?? '/',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(request);
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    const failure = faults.failures.shift();
    if (failure) return answer(response, failure.status, { code: failure.code, message: 'told to fail' });
    const merchant = authenticate(request);
    if ('code' in merchant) return answer(response, merchant.status, { code: merchant.code, message: 'signature' });
    const { status, value } = route(merchant, request);
    answer(response, status, value);
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The order is paid in WeChat; its notification is queued unless `lost`. */
  function pay(outTradeNo: string, { lost = false }: { lost?: boolean } = {}): EmulatedOrder {
    const order = orders.get(outTradeNo);
    if (order?.tradeState !== 'NOTPAY') throw new Error(`order ${outTradeNo} is not open to pay`);
    faults.userPaying.delete(outTradeNo);
    order.tradeState = 'SUCCESS';
    order.transactionId = `4200${hex(12)}`;
    order.successTime = options.clock.now().toISOString().replace('Z', '+00:00');
    if (!lost) queueNotification(order);
    return order;
  }

  function queueNotification(order: EmulatedOrder): void {
    const merchant = merchants.get(order.mchid);
    if (!merchant) throw new Error(`merchant ${order.mchid} is not registered`);
    const nonce = hex(6);
    const plaintext = JSON.stringify(transactionOf(order));
    const envelope = {
      id: `EV-${hex(10)}`,
      create_time: order.successTime,
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: 'payment succeeded',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(plaintext, merchant.apiV3Key, nonce, 'transaction'),
        associated_data: 'transaction',
        nonce,
      },
    };
    const body = JSON.stringify(envelope);
    pending.push({
      id: envelope.id,
      url: order.notifyUrl,
      body,
      apiV3Key: merchant.apiV3Key,
      attempts: 0,
      dueAtMs: options.clock.now().getTime(),
    });
  }

  /** Sends every notification due now; a failed or dropped one is due again after the next documented delay. */
  async function deliverDue({ drop = false }: { drop?: boolean } = {}): Promise<number> {
    const nowMs = options.clock.now().getTime();
    let sent = 0;
    for (const notification of [...pending]) {
      if (notification.dueAtMs > nowMs) continue;
      notification.attempts += 1;
      const status = drop ? 0 : await send(notification);
      sent += 1;
      if (status === 200 || status === 204) {
        pending.splice(pending.indexOf(notification), 1);
        delivered.push({ id: notification.id, attempts: notification.attempts, status });
        continue;
      }
      const delayS = documentedRetryDelaysS[notification.attempts - 1];
      if (delayS === undefined) pending.splice(pending.indexOf(notification), 1);
      else notification.dueAtMs = nowMs + delayS * 1000;
    }
    return sent;
  }

  async function send(notification: PendingNotification): Promise<number> {
    try {
      const response = await fetch(notification.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(notification.body) },
        body: notification.body,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  return {
    url,
    platformSerial: platform.serial,
    platformPublicKeyPem: platform.publicKeyPem,
    /** The platform's private key, only for tests that forge or replay a notification. */
    platformPrivateKeyPem: platform.privateKeyPem,
    /** The headers the platform signs a body with now, to replay or forge a notification. */
    signedHeaders,
    orders,
    refunds,
    requests,
    pending,
    delivered,
    addMerchant: (merchant: EmulatedMerchant) => void merchants.set(merchant.mchid, merchant),
    pay,
    /** The next `count` requests are answered `status` with `code`, signed, whatever they ask. */
    failNext: (count: number, status = 500, code = 'SYSTEM_ERROR') => {
      for (let index = 0; index < count; index += 1) faults.failures.push({ status, code });
    },
    delay: (ms: number) => {
      faults.delayMs = ms;
    },
    /** Queries of this order answer USERPAYING until it is paid. */
    userPaying: (outTradeNo: string) => void faults.userPaying.add(outTradeNo),
    settleRefund: (outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' = 'SUCCESS') => {
      const found = refunds.get(outRefundNo);
      if (!found) throw new Error(`no refund ${outRefundNo}`);
      found.status = status;
    },
    deliverDue,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
