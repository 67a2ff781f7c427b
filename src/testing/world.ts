import { type HubAddress, type TestParticipant, bearerClient, createParticipant } from './index.ts';

export type TestMerchant = { id: string; secretKey: string; call: ReturnType<typeof bearerClient>; body: any };

/** Money large enough that a test never meets the cap unless it means to. */
export const roomyCap = 1_000_000_000;

export async function createWallet(
  hub: HubAddress,
  name: string,
  fields: Record<string, unknown> = {},
): Promise<TestParticipant> {
  return createParticipant(hub, {
    name,
    roles: ['issuer'],
    currencies: ['CNY'],
    netDebitCaps: { CNY: roomyCap },
    appSwitchUrlTemplate: `${name.toLowerCase().replace(/\W+/g, '')}://pay?token={token}`,
    ...fields,
  });
}

export async function createMerchant(
  hub: HubAddress,
  acquirer: TestParticipant,
  fields: Record<string, unknown> = {},
): Promise<TestMerchant> {
  const created = await acquirer.call('POST', '/v1/merchants', {
    name: 'Toko Lintas',
    mcc: '5732',
    city: 'Shanghai',
    country: 'CN',
    currency: 'CNY',
    ...fields,
  });
  if (created.status !== 201) throw new Error(`merchant creation failed: ${created.text}`);
  return {
    id: created.body.id,
    secretKey: created.body.secretKey,
    call: bearerClient(hub, created.body.secretKey),
    body: created.body,
  };
}

/** The merchant applies to the wallet and the wallet approves at once. */
export async function approveChannel(merchant: TestMerchant, wallet: TestParticipant): Promise<string> {
  const applied = await merchant.call('POST', '/v1/channel-applications', { walletId: wallet.id });
  if (applied.status !== 201) throw new Error(`application failed: ${applied.text}`);
  const approved = await wallet.call('POST', `/v1/channel-applications/${applied.body.id}/approve`);
  if (approved.status !== 200) throw new Error(`approval failed: ${approved.text}`);
  return applied.body.id;
}

let referenceCounter = 0;

export async function createCheckout(merchant: TestMerchant, fields: Record<string, unknown> = {}) {
  referenceCounter += 1;
  const created = await merchant.call('POST', '/v1/checkouts', {
    amount: 12_990,
    currency: 'CNY',
    reference: `order-${referenceCounter}-${Math.random().toString(36).slice(2, 8)}`,
    buyerId: 'buyer-1',
    lines: [
      { kind: 'product', sku: 'TEA-1', name: 'Oolong tea', category: 'grocery', quantity: 2, unitAmount: 5_000 },
      { kind: 'shipping', name: 'Courier', quantity: 1, unitAmount: 2_990 },
    ],
    ...fields,
  });
  if (created.status !== 201) throw new Error(`checkout creation failed: ${created.text}`);
  return created.body;
}

/** The buyer's side: the checkout's client secret as bearer. */
export function buyerOf(hub: HubAddress, checkout: { clientSecret: string }) {
  return bearerClient(hub, checkout.clientSecret);
}

/**
 * A wallet pays a checkout the way a wallet app does after a QR scan: the
 * buyer's QR attempt, the wallet's resolve, then its transfer of what was
 * asked with `payerRef`. Answers the transfer's response.
 */
export async function payCheckoutByQr(
  hub: HubAddress,
  checkout: { id: string; clientSecret: string },
  wallet: TestParticipant,
  payerRef: string,
) {
  const attempt = await buyerOf(hub, checkout)('POST', `/v1/checkouts/${checkout.id}/attempts`, {
    walletId: wallet.id,
    flow: 'qr',
  });
  if (attempt.status !== 201) throw new Error(`attempt failed: ${attempt.text}`);
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: attempt.body.qrPayload });
  if (resolved.status !== 200) throw new Error(`resolve failed: ${resolved.text}`);
  const { paymentToken, amount, currency } = resolved.body;
  return wallet.call('POST', '/v1/transfers', { paymentToken, amount, currency, payer: { ref: payerRef } });
}

export async function positionsOf(hub: HubAddress): Promise<Record<string, number>> {
  const response = await bearerClient(hub, hub.operatorToken)('GET', '/v1/positions?limit=100');
  if (response.status !== 200) throw new Error(`positions failed: ${response.text}`);
  return Object.fromEntries(
    response.body.data.map((row: { participantId: string; currency: string; position: number }) => [
      `${row.participantId}:${row.currency}`,
      row.position,
    ]),
  );
}
