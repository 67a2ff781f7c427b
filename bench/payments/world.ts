/**
 * What the payments bench pays in, made through the hub's own API: a fee schedule, wallets (issuers) and
 * acquirers with keys and callback URLs, one merchant per acquirer with a webhook endpoint, and every
 * merchant's channel approved by every wallet. The receivers are local HTTP servers that answer 204 and count.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateEd25519KeyPair, publicKeyToJwk } from '../../src/http/index.ts';
import { type Caller, type Send, expectStatus } from './client.ts';

export type Party = { id: string; caller: Caller };
export type World = { wallets: Party[]; merchants: Party[] };
/** How many of each, and a name that keeps this world's key ids apart from another's on the same hub. */
export type Shape = { name: string; wallets: number; acquirers: number };

/** No bench run comes near it: the bench measures speed, not caps. */
const roomyCap = 1_000_000_000_000_000;
const feeSchedule = {
  interchange: { bps: 60 },
  issuerSwitchFee: { bps: 5, fixedAmount: 1 },
  acquirerSwitchFee: { bps: 5 },
  merchantDiscount: { bps: 100 },
};

export type Receivers = { url: string; received(): number; close(): Promise<void> };

export async function startReceivers(): Promise<Receivers> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

async function createParticipant(
  send: Send,
  operator: Caller,
  receiversUrl: string,
  plan: { slug: string; roles: string[] },
): Promise<Party> {
  const pair = generateEd25519KeyPair();
  const keyId = `bench-${plan.slug}`;
  const created = expectStatus(
    await send(operator, 'POST', '/v1/participants', {
      name: `Bench ${plan.slug}`,
      roles: plan.roles,
      currencies: ['CNY'],
      callbackUrl: `${receiversUrl}/participants/${plan.slug}`,
      publicKeys: [{ kid: keyId, jwk: publicKeyToJwk(pair.publicKey, keyId) }],
      netDebitCaps: { CNY: roomyCap },
    }),
    201,
    `creating ${plan.slug}`,
  );
  expectStatus(await send(operator, 'POST', `/v1/participants/${created.id}/approve`), 200, `approving ${plan.slug}`);
  return { id: created.id, caller: { kind: 'signed', keyId, privateKey: pair.privateKey } };
}

async function createMerchant(send: Send, acquirer: Party, wallets: readonly Party[], receiversUrl: string) {
  const created = expectStatus(
    await send(acquirer.caller, 'POST', '/v1/merchants', {
      name: 'Toko Bench',
      mcc: '5812',
      city: 'Jakarta',
      country: 'ID',
      currency: 'CNY',
    }),
    201,
    'creating a merchant',
  );
  const merchant: Party = { id: created.id, caller: { kind: 'bearer', token: created.secretKey } };
  for (const wallet of wallets) {
    const applied = expectStatus(
      await send(merchant.caller, 'POST', '/v1/channel-applications', { walletId: wallet.id }),
      201,
      'applying for a channel',
    );
    const approve = `/v1/channel-applications/${applied.id}/approve`;
    expectStatus(await send(wallet.caller, 'POST', approve), 200, 'approving a channel');
  }
  const endpoint = { url: `${receiversUrl}/merchants/${created.id}`, events: ['*'] };
  expectStatus(await send(merchant.caller, 'POST', '/v1/webhook-endpoints', endpoint), 201, 'adding a webhook');
  return merchant;
}

export async function seedWorld(send: Send, operatorToken: string, receiversUrl: string, shape: Shape) {
  const operator: Caller = { kind: 'bearer', token: operatorToken };
  expectStatus(await send(operator, 'PUT', '/v1/fee-schedules/CNY', feeSchedule), 200, 'setting fees');
  const wallets: Party[] = [];
  for (let index = 0; index < shape.wallets; index += 1)
    wallets.push(
      await createParticipant(send, operator, receiversUrl, {
        slug: `${shape.name}-wallet-${index}`,
        roles: ['issuer'],
      }),
    );
  const merchants: Party[] = [];
  for (let index = 0; index < shape.acquirers; index += 1) {
    const plan = { slug: `${shape.name}-acquirer-${index}`, roles: ['issuer', 'acquirer'] };
    const acquirer = await createParticipant(send, operator, receiversUrl, plan);
    merchants.push(await createMerchant(send, acquirer, wallets, receiversUrl));
  }
  return { wallets, merchants } satisfies World;
}
