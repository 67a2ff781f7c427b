import type { HubContext } from '../../context.ts';
import { HttpTransportError } from '../../http/index.ts';
import { type Result, type Secret, ok, refuse } from '../../platform/index.ts';
import { type WechatError, errorOf } from './mapping.ts';
import { authorizationHeader, requestMessage, signMessage, verifyAnswer } from './signature.ts';

/** A merchant's own credentials at WeChat Pay, opened from their sealed form only for a call. */
export type WechatCredentials = {
  mchid: string;
  appid: string;
  /** The serial of the merchant's API certificate, sent as `serial_no`. */
  serialNo: string;
  privateKey: Secret;
  apiV3Key: Secret;
};

/** Where the wallet is and the platform keys its answers are signed with, by serial. */
export type WechatEndpoint = { baseUrl: string; platformKeys: ReadonlyMap<string, string> };

/**
 * Why a call did not give an answer the hub can use: no answer (`bridge_unavailable`;
 * the wallet may still have acted), an answer that does not verify
 * (`bridge_answer_unverified`: never acted on), or the wallet's own error
 * (`bridge_wallet_error`, with `extra.status` and `extra.error`, its `{code, message}`).
 */
export type WechatFailure = 'bridge_unavailable' | 'bridge_answer_unverified' | 'bridge_wallet_error';

export type WechatAnswer = { status: number; body: unknown };

/** The wallet's error of a `bridge_wallet_error` refusal. */
export function walletErrorOf(refusal: { extra?: Record<string, unknown> }): { status: number; error: WechatError } {
  return {
    status: typeof refusal.extra?.status === 'number' ? refusal.extra.status : 0,
    error: (refusal.extra?.error as WechatError | undefined) ?? { code: '', message: '' },
  };
}

/** Deadline of one call; the hub's own callers (a buyer waiting for a QR) wait no longer. */
const callTimeoutMs = 10_000;
const nonceBytes = 16;

/**
 * One signed call: signs `METHOD\nPATH?QUERY\nts\nnonce\nbody\n` with the
 * merchant's key, sends it through `ctx.http` (outside any transaction),
 * and checks the answer's signature with the platform key it names before
 * reading it. A 2xx is the answer; any other status is the wallet's error.
 */
export async function callWechat(
  ctx: Pick<HubContext, 'clock' | 'random' | 'http'>,
  endpoint: WechatEndpoint,
  credentials: WechatCredentials,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<Result<WechatAnswer, WechatFailure>> {
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  const nonce = ctx.random.bytes(nonceBytes).toString('hex').toUpperCase();
  const signature = signMessage(
    requestMessage(request.method, request.path, timestamp, nonce, body),
    credentials.privateKey.reveal(),
  );
  const authorization = authorizationHeader({
    mchid: credentials.mchid,
    serialNo: credentials.serialNo,
    nonce,
    timestamp,
    signature,
  });
  let response: Awaited<ReturnType<HubContext['http']['request']>>;
  try {
    response = await ctx.http.request({
      method: request.method,
      url: `${endpoint.baseUrl.replace(/\/+$/, '')}${request.path}`,
      headers: {
        accept: 'application/json',
        authorization,
        'user-agent': 'lintas-bridge/1',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
      timeoutMs: callTimeoutMs,
    });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return refuse('bridge_unavailable', `WeChat Pay did not answer: ${error.message}`);
  }
  const nowSeconds = Math.floor(ctx.clock.now().getTime() / 1000);
  const verified = verifyAnswer(response.headers, response.body, endpoint.platformKeys, nowSeconds);
  if (!verified.ok)
    return refuse('bridge_answer_unverified', `WeChat Pay's answer was not trusted: ${verified.detail}`);
  if (response.status < 200 || response.status > 299) {
    const error = errorOf(response.status, response.body);
    return refuse('bridge_wallet_error', `WeChat Pay answered ${response.status} ${error.code}: ${error.message}`, {
      status: response.status,
      error,
    });
  }
  return ok({ status: response.status, body: response.body ? parseJson(response.body) : null });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The query path of an order, by the merchant's order number. */
export function queryPath(outTradeNo: string, mchid: string): string {
  return `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(mchid)}`;
}

export function closePath(outTradeNo: string): string {
  return `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
}

export const nativePath = '/v3/pay/transactions/native';
export const h5Path = '/v3/pay/transactions/h5';
export const refundsPath = '/v3/refund/domestic/refunds';

export function refundQueryPath(outRefundNo: string): string {
  return `${refundsPath}/${encodeURIComponent(outRefundNo)}`;
}
