/** The hub's public endpoints a page calls, typed as their answers are documented (docs/protocol.md). */
export type Flow = 'app_switch' | 'qr' | 'friend_pay';
export type Line = { kind: string; name: string; quantity: number; unitAmount: number };
export type Method = { walletId: string; name: string; placement: 'default' | 'primary' | 'other'; flows: Flow[] };
export type CheckoutStatus = 'open' | 'paid' | 'expired' | 'canceled';

export type Checkout = {
  id: string;
  status: CheckoutStatus;
  amount: number;
  currency: string;
  reference: string;
  lines: Line[];
  returnUrl: string | null;
  methods: Method[];
  expiresAt: string;
  merchant?: { name: string; city: string };
};

export type CheckoutState = {
  status: CheckoutStatus;
  expiresAt: string;
  returnUrl: string | null;
  paidWallet: { id: string; name: string } | null;
  receiptNumber: string | null;
};

export type Attempt = {
  id: string;
  walletId: string;
  flow: Flow;
  deepLink?: string;
  qrPayload?: string;
  qrImageUrl?: string;
  shareUrl?: string;
};

export type Shared = {
  merchant: { name: string; city: string };
  lines: Line[];
  amount: number;
  currency: string;
  status: CheckoutStatus;
  note?: string | null;
  wallets: { walletId: string; name: string; qrPayload: string; qrSvg: string; deepLink?: string }[];
};

/** An answer: its status, and its JSON when it had any; a network failure is status 0. */
export type Answer<T> = { status: number; body: T | undefined };

export async function call<T>(path: string, init: RequestInit = {}): Promise<Answer<T>> {
  try {
    const response = await fetch(path, init);
    const text = await response.text();
    const body = text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : undefined;
    return { status: response.status, body: body ?? (text as unknown as T) };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** The hosted checkout's calls, made with its client secret as the bearer token. */
export function checkoutApi(checkoutId: string, secret: string) {
  const headers = { authorization: `Bearer ${secret}` };
  const base = `/v1/checkouts/${encodeURIComponent(checkoutId)}`;
  return {
    read: () => call<Checkout>(base, { headers }),
    state: () => call<CheckoutState>(`${base}/status`, { headers }),
    start: (walletId: string, flow: Flow, note?: string) =>
      call<Attempt>(`${base}/attempts`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ walletId, flow, ...(note ? { note } : {}) }),
      }),
    picture: (url: string) => call<string>(new URL(url, location.href).pathname, { headers }),
  };
}
export type CheckoutApi = ReturnType<typeof checkoutApi>;

export type PaymentRequest = {
  paymentToken: string;
  merchant: { id: string; name: string; city: string };
  amount: number | null;
  currency: string;
  reference: string | null;
  returnUrl: string | null;
};
export type Paid = { amount: number; currency: string; receiptNumber: string; returnUrl: string | null };
export type Problem = { code?: string; title?: string };

/** A demo wallet's app: its backend signs each call with the wallet's key (src/demo/wallet-app.ts). */
export function walletApi(walletId: string) {
  const base = `/demo/api/wallets/${encodeURIComponent(walletId)}`;
  const post = <T>(path: string, body: unknown) =>
    call<T>(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    read: () => call<{ id: string; name: string }>(base),
    resolve: (asked: { token: string } | { qrPayload: string }) => post<PaymentRequest & Problem>('/resolve', asked),
    pay: (paymentToken: string, amount: number, currency: string) =>
      post<Paid & Problem>('/pay', { paymentToken, amount, currency }),
  };
}
export type WalletApi = ReturnType<typeof walletApi>;

export type TillQr = { id: string; status: 'pending' | 'paid' | 'expired' | 'canceled'; qrPayload: string };
export type Charge = {
  id: string;
  status: 'pending' | 'succeeded' | 'declined' | 'unknown' | 'reversed';
  amount: number;
  currency: string;
  receiptNumber: string | null;
  declineReason: string | null;
};

/** A till's calls, with the merchant's secret key as the bearer token (the till is the merchant's own). */
export function tillApi(secretKey: string) {
  const headers = { authorization: `Bearer ${secretKey}` };
  const post = <T>(path: string, body?: unknown) =>
    call<T & Problem>(path, {
      method: 'POST',
      headers: {
        ...headers,
        'idempotency-key': crypto.randomUUID(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const reference = () => `till-${Date.now().toString(36)}`;
  return {
    check: () => call<unknown>('/v1/pos/charges?limit=1', { headers }),
    makeQr: (amount: number, currency: string) =>
      post<TillQr>('/v1/pos/qr-codes', { amount, currency, reference: reference() }),
    readQr: (id: string) => call<TillQr>(`/v1/pos/qr-codes/${encodeURIComponent(id)}`, { headers }),
    cancelQr: (id: string) => post<TillQr>(`/v1/pos/qr-codes/${encodeURIComponent(id)}/cancel`),
    charge: (paymentCode: string, amount: number, currency: string) =>
      post<Charge>('/v1/pos/charges', { paymentCode, amount, currency, reference: reference() }),
    readCharge: (id: string) => call<Charge>(`/v1/pos/charges/${encodeURIComponent(id)}`, { headers }),
    reverse: (id: string) => post<Charge>(`/v1/pos/charges/${encodeURIComponent(id)}/reverse`),
  };
}
export type TillApi = ReturnType<typeof tillApi>;
