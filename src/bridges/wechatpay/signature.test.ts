import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { createFetchHttpPort } from '../../http/index.ts';
import { Secret, cryptoRandom, systemClock } from '../../platform/index.ts';
import { callWechat, queryPath, walletErrorOf } from './client.ts';
import { type WechatpayEmulator, generateRsaKeyPair, startWechatpayEmulator } from './emulator.test-support.ts';
import { nativePrepayBody } from './mapping.ts';
import {
  answerMessage,
  authorizationHeader,
  decryptResource,
  encryptResource,
  parseAuthorization,
  requestMessage,
  signMessage,
  verifyAnswer,
} from './signature.ts';

/**
 * The hub's own WeChat Pay v3 signer and verifier, and the emulator, proved
 * against the most-used Node SDK, `wechatpay-axios-plugin`: its `Rsa` and
 * `Formatter` verify what the hub signs, its AES-GCM opens what the
 * emulator seals, and its own client, pointed at the emulator, accepts the
 * emulator's signed answers (its verifier refuses any other).
 */
const merchantKeys = generateRsaKeyPair();
const merchant = {
  mchid: '1900000109',
  appid: 'wxd678efh567hg6787',
  serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  publicKeyPem: merchantKeys.publicKeyPem,
  apiV3Key: 'abcdefghijklmnopqrstuvwxyz012345',
};
const credentials = {
  mchid: merchant.mchid,
  appid: merchant.appid,
  serialNo: merchant.serialNo,
  privateKey: new Secret(merchantKeys.privateKeyPem),
  apiV3Key: new Secret(merchant.apiV3Key),
};

let emulator: WechatpayEmulator;
const http = createFetchHttpPort({ allowPrivate: true });
const ctx = { clock: systemClock, random: cryptoRandom, http };

beforeAll(async () => {
  emulator = await startWechatpayEmulator({ clock: systemClock });
  emulator.addMerchant(merchant);
});
afterAll(async () => {
  await emulator.close();
  await http.close();
});

type QueryChain = { get(config: object): Promise<{ data: { trade_state: string } }> };

/** The plugin's chain for `GET /v3/pay/transactions/out-trade-no/{out_trade_no}`. */
function queryOf(client: Wechatpay): QueryChain {
  const chain = client.v3?.pay?.transactions?.outTradeNo?._out_trade_no_;
  if (!chain) throw new Error('the plugin builds every path as a chain');
  return chain as unknown as QueryChain;
}

function endpoint() {
  return { baseUrl: emulator.url, platformKeys: new Map([[emulator.platformSerial, emulator.platformPublicKeyPem]]) };
}

describe('the v3 signature, against wechatpay-axios-plugin', () => {
  it('signs the documented message, which the plugin verifies', () => {
    const message = requestMessage('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242', '');
    expect(message).toBe(
      Formatter.request('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242', ''),
    );
    const signature = signMessage(message, merchantKeys.privateKeyPem);
    expect(Rsa.verify(message, signature, merchantKeys.publicKeyPem)).toBe(true);
    expect(signature).toBe(Rsa.sign(message, merchantKeys.privateKeyPem));
  });

  it("reads the plugin's Authorization header, whatever the order of its fields", () => {
    const header = Formatter.authorization('1900000109', 'N0NCE', 'c2ln', '1554208460', 'SER1AL');
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900000109',
      serialNo: 'SER1AL',
      nonce: 'N0NCE',
      timestamp: 1554208460,
      signature: 'c2ln',
    });
    const ours = authorizationHeader({ mchid: 'm', serialNo: 's', nonce: 'n', timestamp: 1, signature: 'x' });
    expect(parseAuthorization(ours)?.serialNo).toBe('s');
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1"')).toBeUndefined();
  });

  it('opens what the plugin seals with AEAD_AES_256_GCM, and the plugin opens what the emulator seals', () => {
    const sealed = Aes.AesGcm.encrypt('{"trade_state":"SUCCESS"}', merchant.apiV3Key, 'fdasflkja484', 'transaction');
    const opened = decryptResource(
      { algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed, nonce: 'fdasflkja484', associated_data: 'transaction' },
      merchant.apiV3Key,
    );
    expect(opened).toEqual({ ok: true, value: '{"trade_state":"SUCCESS"}' });
    const ours = encryptResource('{"a":1}', merchant.apiV3Key, 'abcdefabcdef', 'certificate');
    expect(Aes.AesGcm.decrypt(ours, merchant.apiV3Key, 'abcdefabcdef', 'certificate')).toBe('{"a":1}');
    const wrongKey = decryptResource(
      { algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed, nonce: 'fdasflkja484', associated_data: 'transaction' },
      'x'.repeat(32),
    );
    expect(wrongKey.ok ? 'opened' : wrongKey.code).toBe('bridge_resource_invalid');
  });

  it('refuses an answer from an unknown serial, past the 300 s skew, or changed in flight', () => {
    const keys = new Map([['S1', merchantKeys.publicKeyPem]]);
    const signature = signMessage(answerMessage(1000, 'n', '{}'), merchantKeys.privateKeyPem);
    const headers = {
      'wechatpay-timestamp': '1000',
      'wechatpay-nonce': 'n',
      'wechatpay-serial': 'S1',
      'wechatpay-signature': signature,
    };
    const code = (result: { ok: boolean; code?: string }) => (result.ok ? 'ok' : result.code);
    expect(code(verifyAnswer(headers, '{}', keys, 1300))).toBe('ok');
    expect(code(verifyAnswer(headers, '{}', keys, 1301))).toBe('bridge_clock_skew');
    expect(code(verifyAnswer({ ...headers, 'wechatpay-serial': 'S2' }, '{}', keys, 1000))).toBe('bridge_key_unknown');
    expect(code(verifyAnswer(headers, '{"x":1}', keys, 1000))).toBe('signature_invalid');
    expect(code(verifyAnswer({}, '{}', keys, 1000))).toBe('signature_missing');
  });
});

describe('the hub and the emulator over HTTP, against the plugin', () => {
  it("sends requests the plugin's own check verifies, and reads the emulator's signed answers", async () => {
    const body = nativePrepayBody({
      appid: merchant.appid,
      mchid: merchant.mchid,
      description: 'two coffees',
      outTradeNo: 'att01PROOF0001',
      expiresAt: systemClock.now(),
      notifyUrl: 'https://hub.example/bridges/wechatpay_v3/cha_1/notify',
      amount: 1800,
    });
    const made = await callWechat(ctx, endpoint(), credentials, {
      method: 'POST',
      path: '/v3/pay/transactions/native',
      body,
    });
    expect(made.ok && (made.value.body as { code_url: string }).code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const sent = emulator.requests.at(-1);
    const fields = parseAuthorization(sent?.headers.authorization ?? '');
    expect(sent && fields).toBeTruthy();
    const message = Formatter.request(sent!.method, sent!.url, fields!.timestamp, fields!.nonce, sent!.body);
    expect(Rsa.verify(message, fields!.signature, merchantKeys.publicKeyPem)).toBe(true);

    const wxpay = new Wechatpay({
      mchid: merchant.mchid,
      serial: merchant.serialNo,
      privateKey: merchantKeys.privateKeyPem,
      certs: { [emulator.platformSerial]: emulator.platformPublicKeyPem },
      baseURL: emulator.url,
    });
    const queried = await queryOf(wxpay).get({
      params: { mchid: merchant.mchid },
      out_trade_no: 'att01PROOF0001',
    });
    expect(queried.data.trade_state).toBe('NOTPAY');

    const forged = new Wechatpay({
      mchid: merchant.mchid,
      serial: merchant.serialNo,
      privateKey: merchantKeys.privateKeyPem,
      certs: { [emulator.platformSerial]: generateRsaKeyPair().publicKeyPem },
      baseURL: emulator.url,
    });
    await expect(
      queryOf(forged).get({
        params: { mchid: merchant.mchid },
        out_trade_no: 'att01PROOF0001',
      }),
    ).rejects.toThrow();
  });

  it("sends notifications the plugin verifies and decrypts, as a merchant's server would", async () => {
    emulator.pay('att01PROOF0001');
    const queued = emulator.pending.at(-1);
    expect(queued).toBeDefined();
    const headers = emulator.signedHeaders(queued!.body);
    const message = Formatter.response(headers['wechatpay-timestamp']!, headers['wechatpay-nonce']!, queued!.body);
    expect(Rsa.verify(message, headers['wechatpay-signature']!, emulator.platformPublicKeyPem)).toBe(true);
    const envelope = JSON.parse(queued!.body) as {
      event_type: string;
      resource: { ciphertext: string; nonce: string; associated_data: string };
    };
    expect(envelope.event_type).toBe('TRANSACTION.SUCCESS');
    const { ciphertext, nonce, associated_data } = envelope.resource;
    const transaction = JSON.parse(Aes.AesGcm.decrypt(ciphertext, merchant.apiV3Key, nonce, associated_data));
    expect(transaction).toMatchObject({
      out_trade_no: 'att01PROOF0001',
      trade_state: 'SUCCESS',
      mchid: merchant.mchid,
    });
  });

  it("refuses a request the merchant's key did not sign, as WeChat Pay does", async () => {
    const other = { ...credentials, privateKey: new Secret(generateRsaKeyPair().privateKeyPem) };
    const answer = await callWechat(ctx, endpoint(), other, {
      method: 'GET',
      path: queryPath('nope000001', merchant.mchid),
    });
    expect(answer.ok ? 'ok' : [answer.code, answer.extra?.status]).toEqual(['bridge_wallet_error', 401]);
  });

  it('answers an unknown order 404 ORDER_NOT_EXIST, signed: the test call of good credentials', async () => {
    const answer = await callWechat(ctx, endpoint(), credentials, {
      method: 'GET',
      path: queryPath('nope000002', merchant.mchid),
    });
    expect(answer.ok ? 'ok' : [answer.code, walletErrorOf(answer).error.code]).toEqual([
      'bridge_wallet_error',
      'ORDER_NOT_EXIST',
    ]);
  });
});
