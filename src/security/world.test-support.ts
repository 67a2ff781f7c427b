import type { KeyObject } from 'node:crypto';
import type { Config } from '../config.ts';
import {
  type ApiResponse,
  type TestHub,
  type TestParticipant,
  bearerClient,
  freshKey,
  referenceContentDigest,
  referenceSign,
  startTestHub,
} from '../testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from '../testing/world.ts';

/**
 * The world the OWASP API Top 10 suite attacks: two acquirers, each with a
 * merchant (A under acquirer A, B under acquirer B), and two wallets, X and
 * Y. Wallet X paid one of merchant A's checkouts, wallet Y one of merchant
 * B's: X and Y, A and B, each own objects the other must not reach.
 */
export type SecurityWorld = {
  hub: TestHub;
  operator: ReturnType<typeof bearerClient>;
  acquirerA: TestParticipant;
  acquirerB: TestParticipant;
  walletX: TestParticipant;
  walletY: TestParticipant;
  merchantA: TestMerchant;
  merchantB: TestMerchant;
  /** A checkout of A paid by X, and of B paid by Y, with their client secrets. */
  paidA: { checkout: any; transfer: any };
  paidB: { checkout: any; transfer: any };
  /** An open checkout of B. */
  openB: any;
};

export async function startSecurityWorld(config: Partial<Config> = {}): Promise<SecurityWorld> {
  const hub = await startTestHub({ config });
  const operator = bearerClient(hub, hub.operatorToken);
  const acquirerA = await createWallet(hub, 'Acquirer A', { roles: ['issuer', 'acquirer'] });
  const acquirerB = await createWallet(hub, 'Acquirer B', { roles: ['issuer', 'acquirer'] });
  const walletX = await createWallet(hub, 'Wallet X');
  const walletY = await createWallet(hub, 'Wallet Y');
  const merchantA = await createMerchant(hub, acquirerA, { name: 'Shop A' });
  const merchantB = await createMerchant(hub, acquirerB, { name: 'Shop B' });
  for (const merchant of [merchantA, merchantB])
    for (const wallet of [walletX, walletY]) await approveChannel(merchant, wallet);
  const pay = async (merchant: TestMerchant, wallet: TestParticipant, ref: string) => {
    const checkout = await createCheckout(merchant);
    const transfer = await payCheckoutByQr(hub, checkout, wallet, ref);
    if (transfer.status !== 201) throw new Error(`payment failed: ${transfer.text}`);
    return { checkout, transfer: transfer.body };
  };
  const paidA = await pay(merchantA, walletX, 'x-1');
  const paidB = await pay(merchantB, walletY, 'y-1');
  const openB = await createCheckout(merchantB);
  return { hub, operator, acquirerA, acquirerB, walletX, walletY, merchantA, merchantB, paidA, paidB, openB };
}

/** What every refusal of the hub is: an RFC 9457 problem with a stable code. */
export function expectProblem(response: ApiResponse, status: number, code?: string): void {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
  if (response.headers.get('content-type')?.startsWith('application/problem+json') !== true)
    throw new Error(`not a problem: ${response.headers.get('content-type')} ${response.text}`);
  if (code !== undefined && response.body.code !== code)
    throw new Error(`expected code ${code}, got ${response.body.code}: ${response.text}`);
}

export type SignedSendOptions = {
  keyId: string;
  privateKey: KeyObject;
  /** Unix seconds; default the hub's clock. */
  created?: number;
  nonce?: string;
  components?: readonly string[];
  /** Changes the request after it was signed. */
  tamper?: (request: { url: string; headers: Record<string, string>; body: string | undefined }) => void;
  omitSignature?: boolean;
  extraParams?: Record<string, string | number>;
};

/**
 * Sends a request signed by the reference RFC 9421 signer (which shares no
 * code with the hub's), with every knob an attacker would turn.
 */
export async function sendSigned(
  hub: TestHub,
  method: string,
  path: string,
  body: unknown,
  options: SignedSendOptions,
): Promise<ApiResponse> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (text !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = freshKey();
  const url = `${hub.url}${path}`;
  const signature = referenceSign(
    { method, url, headers, ...(text !== undefined ? { body: text } : {}) },
    {
      keyId: options.keyId,
      privateKey: options.privateKey,
      created: options.created ?? Math.floor(hub.clock.now().getTime() / 1000),
      nonce: options.nonce ?? freshKey(),
      alg: true,
      ...(options.components ? { components: options.components } : {}),
      ...(options.extraParams ? { extraParams: options.extraParams } : {}),
    },
  );
  const request = { url, headers: { ...headers, ...(options.omitSignature ? {} : signature.headers) }, body: text };
  options.tamper?.(request);
  const response = await fetch(request.url, {
    method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const responseText = await response.text();
  let parsed: unknown = responseText;
  try {
    parsed = responseText ? JSON.parse(responseText) : undefined;
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed, text: responseText };
}

export { referenceContentDigest };
