import { type TestHub, type TestParticipant, bearerClient, createParticipant, startTestHub } from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet } from '../testing/world.ts';
import {
  type WechatpayEmulator,
  generateRsaKeyPair,
  startWechatpayEmulator,
} from './wechatpay/emulator.test-support.ts';

/**
 * A hub with a WeChat Pay emulator: an acquirer and its merchant, and
 * "WeChat Pay" registered by the operator as a bridged wallet with the
 * emulator's base URL and platform key. The merchant's own account at the
 * emulator is `account`; `connect` gives it for the merchant's channel.
 */
export type BridgeWorld = {
  hub: TestHub;
  emulator: WechatpayEmulator;
  acquirer: TestParticipant;
  merchant: TestMerchant;
  wechat: { id: string; body: Record<string, unknown> };
  account: { mchid: string; appid: string; serialNo: string; privateKeyPem: string; apiV3Key: string };
  operator: ReturnType<typeof bearerClient>;
};

export async function startBridgeWorld(options: Parameters<typeof startTestHub>[0] = {}): Promise<BridgeWorld> {
  const hub = await startTestHub(options);
  const emulator = await startWechatpayEmulator({ clock: hub.clock });
  const keys = generateRsaKeyPair();
  const account = {
    mchid: '1230000109',
    appid: 'wxd678efh567hg6787',
    serialNo: '444F4864EA9B34415A0FBE5F1DB1B1E0A1F6B8C2',
    privateKeyPem: keys.privateKeyPem,
    apiV3Key: 'lintasApiV3KeyForTests0123456789',
  };
  emulator.addMerchant({ ...account, publicKeyPem: keys.publicKeyPem });
  const acquirer = await createWallet(hub, 'Bridge Acquirer', { roles: ['issuer', 'acquirer'] });
  const merchant = await createMerchant(hub, acquirer);
  const wechat = await createParticipant(hub, {
    name: 'WeChat Pay',
    roles: ['issuer'],
    currencies: ['CNY'],
    netDebitCaps: { CNY: 1_000_000_000 },
    // Absent: a bridged wallet's callbacks go to its bridge.
    callbackUrl: undefined,
    bridge: {
      kind: 'wechatpay_v3',
      baseUrl: emulator.url,
      platformKeys: [{ serial: emulator.platformSerial, publicKeyPem: emulator.platformPublicKeyPem }],
    },
  });
  return { hub, emulator, acquirer, merchant, wechat, account, operator: bearerClient(hub, hub.operatorToken) };
}

/** The merchant applies to WeChat Pay and gives its account there: the channel is approved once proved. */
export async function connect(world: BridgeWorld, account = world.account) {
  const applied = await world.merchant.call('POST', '/v1/channel-applications', { walletId: world.wechat.id });
  if (applied.status !== 201) throw new Error(`application failed: ${applied.text}`);
  const given = await world.merchant.call(
    'PUT',
    `/v1/channel-applications/${applied.body.id}/bridge-credentials`,
    account,
  );
  return { channelId: applied.body.id as string, given };
}

export async function stopBridgeWorld(world: BridgeWorld | undefined): Promise<void> {
  await world?.emulator.close();
  await world?.hub.stop();
}
