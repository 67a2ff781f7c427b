import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decode, findField } from '../qr/index.ts';
import { type TestHub, type TestParticipant, startTestHub, ledgerCheckOf } from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet, positionsOf } from '../testing/world.ts';

let hub: TestHub;
let acquirer: TestParticipant;
let walletOne: TestParticipant;
let walletTwo: TestParticipant;
let merchant: TestMerchant;

beforeAll(async () => {
  hub = await startTestHub();
  acquirer = await createWallet(hub, 'Acquirer Pay', { roles: ['issuer', 'acquirer'] });
  walletOne = await createWallet(hub, 'Wallet One');
  walletTwo = await createWallet(hub, 'Wallet Two');
  merchant = await createMerchant(hub, acquirer, { name: 'Warung Kopi', city: 'Jakarta' });
});
afterAll(async () => hub?.stop());

async function placardPng(): Promise<Buffer> {
  const response = await fetch(`${hub.url}/v1/merchants/${merchant.id}/placard?format=png`, {
    headers: { authorization: `Bearer ${merchant.secretKey}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/png');
  return Buffer.from(await response.arrayBuffer());
}

/** jsqr is CommonJS with an ES-style default export; either shape may arrive. */
type ReadQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: ReadQr }).default ?? jsQRModule) as unknown as ReadQr;

function readQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!found) throw new Error('no QR code in the picture');
  return found.data;
}

async function payTyped(wallet: TestParticipant, payload: string, amount: number, ref: string) {
  const resolved = await wallet.call('POST', '/v1/payment-requests/resolve', { qrPayload: payload });
  expect(resolved.status, resolved.text).toBe(200);
  expect(resolved.body).toMatchObject({
    amount: null,
    currency: 'CNY',
    merchant: { id: merchant.id, name: 'Warung Kopi' },
  });
  return wallet.call('POST', '/v1/transfers', {
    paymentToken: resolved.body.paymentToken,
    amount,
    currency: 'CNY',
    payer: { ref },
  });
}

describe('one placard, every wallet', () => {
  test('the PNG placard reads back to its payload, which the codec accepts in strict mode', async () => {
    const json = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    const fromPicture = readQr(await placardPng());
    expect(fromPicture).toBe(json.body.payload);
    const decoded = decode(fromPicture, { mode: 'strict' });
    expect(decoded.valid, JSON.stringify(decoded)).toBe(true);
    if (decoded.kind !== 'mpm') throw new Error('not merchant-presented');
    expect(findField(decoded.fields, '01')).toMatchObject({ value: '11' });
    expect(findField(decoded.fields, '54')).toBeUndefined();
    expect(findField(decoded.fields, '26/01')).toMatchObject({ value: merchant.id });
    expect(findField(decoded.fields, '26/02')).toBeUndefined();
  });

  test('SVG and PDF placards; the acquirer may fetch them, another merchant may not', async () => {
    const svg = await acquirer.call('GET', `/v1/merchants/${merchant.id}/placard?format=svg`);
    expect(svg.status).toBe(200);
    expect(svg.text).toContain('<svg');
    const pdf = await fetch(`${hub.url}/v1/merchants/${merchant.id}/placard?format=pdf`, {
      headers: { authorization: `Bearer ${merchant.secretKey}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const other = await createMerchant(hub, acquirer, { name: 'Other' });
    expect(await other.call('GET', `/v1/merchants/${merchant.id}/placard`)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
  });

  test('the same placard paid by two wallets with typed amounts: two transfers to the acquirer', async () => {
    const payload = readQr(await placardPng());
    const before = await positionsOf(hub);
    const first = await payTyped(walletOne, payload, 2_500, 'one-1');
    const second = await payTyped(walletTwo, payload, 7_000, 'two-1');
    expect(first.status, first.text).toBe(201);
    expect(second.status, second.text).toBe(201);
    expect(first.body).toMatchObject({ source: 'placard', payeeParticipantId: acquirer.id, amount: 2_500 });
    expect(second.body).toMatchObject({ source: 'placard', payeeParticipantId: acquirer.id, amount: 7_000 });
    const after = await positionsOf(hub);
    expect((after[`${acquirer.id}:CNY`] ?? 0) - (before[`${acquirer.id}:CNY`] ?? 0)).toBe(9_500);
    const payments = await merchant.call('GET', '/v1/payments?source=placard');
    expect(payments.body.data.map((payment: { id: string }) => payment.id)).toEqual([first.body.id, second.body.id]);
    const refund = await merchant.call('POST', '/v1/refunds', {
      transferId: second.body.id,
      amount: 1_000,
      reason: 'change',
    });
    expect(refund.status).toBe(201);
  });

  test('a placard token pays once, only for its wallet, and only for ten minutes', async () => {
    const payload = readQr(await placardPng());
    const resolved = await walletOne.call('POST', '/v1/payment-requests/resolve', { qrPayload: payload });
    const token = resolved.body.paymentToken;
    const stolen = await walletTwo.call('POST', '/v1/transfers', {
      paymentToken: token,
      amount: 100,
      currency: 'CNY',
      payer: { ref: 'stolen' },
    });
    expect(stolen.body.code).toBe('wallet_mismatch');
    expect(
      (
        await walletOne.call('POST', '/v1/transfers', {
          paymentToken: token,
          amount: 100,
          currency: 'CNY',
          payer: { ref: 'once' },
        })
      ).status,
    ).toBe(201);
    const twice = await walletOne.call('POST', '/v1/transfers', {
      paymentToken: token,
      amount: 100,
      currency: 'CNY',
      payer: { ref: 'twice' },
    });
    expect(twice.body.code).toBe('payment_token_unknown');
    const late = await walletOne.call('POST', '/v1/payment-requests/resolve', { qrPayload: payload });
    hub.clock.advanceMs(10 * 60 * 1000 + 1);
    const expired = await walletOne.call('POST', '/v1/transfers', {
      paymentToken: late.body.paymentToken,
      amount: 100,
      currency: 'CNY',
      payer: { ref: 'late' },
    });
    expect(expired.body.code).toBe('payment_token_unknown');
  });

  test('a repeat with the spent placard token returns its transfer; another amount is payer_ref_reused', async () => {
    const resolved = await walletOne.call('POST', '/v1/payment-requests/resolve', {
      qrPayload: readQr(await placardPng()),
    });
    const pay = (amount: number) =>
      walletOne.call('POST', '/v1/transfers', {
        paymentToken: resolved.body.paymentToken,
        amount,
        currency: 'CNY',
        payer: { ref: 'placard-repeat' },
      });
    const first = await pay(1_200);
    expect(first.status, first.text).toBe(201);
    const repeat = await pay(1_200);
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(first.body.id);
    const otherAmount = await pay(1_300);
    expect(otherAmount.status).toBe(409);
    expect(otherAmount.body).toMatchObject({ code: 'payer_ref_reused', transferId: first.body.id });
  });

  test('a payment refused for the cap leaves the placard token unspent', async () => {
    const capped = await createWallet(hub, 'Capped Wallet', { netDebitCaps: { CNY: 1_000 } });
    const resolved = await capped.call('POST', '/v1/payment-requests/resolve', {
      qrPayload: readQr(await placardPng()),
    });
    const pay = (amount: number, ref: string) =>
      capped.call('POST', '/v1/transfers', {
        paymentToken: resolved.body.paymentToken,
        amount,
        currency: 'CNY',
        payer: { ref },
      });
    const refused = await pay(5_000, 'capped-1');
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('limit_exceeded');
    const paid = await pay(500, 'capped-2');
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ source: 'placard', amount: 500 });
  });

  test('a wallet that suspended its channel with the merchant cannot pay its placard', async () => {
    const cautious = await createWallet(hub, 'Cautious Wallet');
    const applied = await merchant.call('POST', '/v1/channel-applications', { walletId: cautious.id });
    await cautious.call('POST', `/v1/channel-applications/${applied.body.id}/approve`);
    await cautious.call('POST', `/v1/channel-applications/${applied.body.id}/suspend`, { reason: 'fraud review' });
    const refused = await cautious.call('POST', '/v1/payment-requests/resolve', {
      qrPayload: readQr(await placardPng()),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('channel_not_approved');
  });

  test("a placard carrying the merchant's foreign template is still routed to the hub's merchant", async () => {
    const set = await merchant.call('PUT', `/v1/merchants/${merchant.id}/qr-templates`, [
      { id: '26', value: '0014ID.CO.QRIS.WWW0215ID10200000000010303UMI' },
    ]);
    expect(set.status, set.text).toBe(200);
    const payload = readQr(await placardPng());
    const decoded = decode(payload, { mode: 'strict' });
    expect(decoded.valid, JSON.stringify(decoded)).toBe(true);
    if (decoded.kind !== 'mpm') throw new Error('not merchant-presented');
    expect(findField(decoded.fields, '26/00')).toMatchObject({ value: 'ID.CO.QRIS.WWW' });
    expect(findField(decoded.fields, '27/01')).toMatchObject({ value: merchant.id });
    const paid = await payTyped(walletOne, payload, 4_200, 'foreign-1');
    expect(paid.status).toBe(201);
    const badTemplate = await merchant.call('PUT', `/v1/merchants/${merchant.id}/qr-templates`, [
      { id: '26', value: '0014org.lintas.hub0105x' },
    ]);
    expect(badTemplate.status).toBe(400);
    expect(badTemplate.body.code).toBe('invalid_request');
  });

  test('`lintas qr placard` writes the same placard from the database', async () => {
    const out = join(hub.config.dataDir, 'placard.png');
    const run = spawnSync(
      process.execPath,
      ['bin/lintas.mjs', 'qr', 'placard', '--merchant', merchant.id, '--out', out, '--db', hub.config.db],
      {
        encoding: 'utf8',
        env: { ...process.env, LINTAS_DATA_DIR: hub.config.dataDir },
      },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const json = await merchant.call('GET', `/v1/merchants/${merchant.id}/placard?format=payload`);
    expect(readQr(readFileSync(out))).toBe(json.body.payload);
  });

  test('a foreign-scheme payload is qr_not_routable, with its decoded tree', async () => {
    const promptPay = '00020101021129370016A000000677010111011300668012345675802TH530376463046197';
    const refused = await walletOne.call('POST', '/v1/payment-requests/resolve', { qrPayload: promptPay });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('qr_not_routable');
    expect(refused.body.decoded.fields.length).toBeGreaterThan(3);
  });
});

describe('till QR', () => {
  test('paid once, refused the second time, polled as paid', async () => {
    const created = await merchant.call('POST', '/v1/pos/qr-codes', {
      amount: 3_750,
      currency: 'CNY',
      reference: 'TILL-0001',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', amount: 3_750 });
    const decoded = decode(created.body.qrPayload, { mode: 'strict' });
    expect(decoded.valid).toBe(true);
    if (decoded.kind !== 'mpm') throw new Error('not merchant-presented');
    expect(findField(decoded.fields, '01')).toMatchObject({ value: '12' });
    expect(findField(decoded.fields, '54')).toMatchObject({ value: '37.50' });
    expect(findField(decoded.fields, '62/05')).toMatchObject({ value: 'TILL-0001' });

    const resolvedOne = await walletOne.call('POST', '/v1/payment-requests/resolve', {
      qrPayload: created.body.qrPayload,
    });
    expect(resolvedOne.body).toMatchObject({ amount: 3_750, reference: 'TILL-0001' });
    const resolvedTwo = await walletTwo.call('POST', '/v1/payment-requests/resolve', {
      qrPayload: created.body.qrPayload,
    });
    const paid = await walletOne.call('POST', '/v1/transfers', {
      paymentToken: resolvedOne.body.paymentToken,
      amount: 3_750,
      currency: 'CNY',
      payer: { ref: 'till-1' },
    });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body.source).toBe('till_qr');
    const again = await walletTwo.call('POST', '/v1/transfers', {
      paymentToken: resolvedTwo.body.paymentToken,
      amount: 3_750,
      currency: 'CNY',
      payer: { ref: 'till-2' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('pos_qr_already_paid');
    const polled = await merchant.call('GET', `/v1/pos/qr-codes/${created.body.id}`);
    expect(polled.body).toMatchObject({ status: 'paid', transferId: paid.body.id, paidWalletId: walletOne.id });
    const payments = await merchant.call('GET', '/v1/payments?source=till_qr');
    expect(payments.body.data.map((payment: { id: string }) => payment.id)).toContain(paid.body.id);
  });

  test('a till QR expires and can be canceled', async () => {
    const short = await merchant.call('POST', '/v1/pos/qr-codes', {
      amount: 100,
      currency: 'CNY',
      reference: 'T2',
      expiresInSeconds: 30,
    });
    hub.clock.advanceMs(31_000);
    expect((await merchant.call('GET', `/v1/pos/qr-codes/${short.body.id}`)).body.status).toBe('expired');
    const other = await merchant.call('POST', '/v1/pos/qr-codes', { amount: 100, currency: 'CNY', reference: 'T3' });
    const canceled = await merchant.call('POST', `/v1/pos/qr-codes/${other.body.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    const resolved = await walletOne.call('POST', '/v1/payment-requests/resolve', { qrPayload: other.body.qrPayload });
    expect(resolved.body.code).toBe('pos_qr_canceled');
  });

  test('the ledger check passes', () => {
    const check = ledgerCheckOf(hub.config.db);
    expect(check.status, check.output).toBe(0);
  });
});
