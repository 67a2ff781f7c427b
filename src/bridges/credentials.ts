import { createPrivateKey } from 'node:crypto';
import { type ChannelView, approveBridgedChannel, findVisibleChannel } from '../channels/index.ts';
import type { HubContext } from '../context.ts';
import { type Queryable, inTransaction } from '../db/index.ts';
import { type Caller, type FieldError, actorOf } from '../http/index.ts';
import { type Participant, type ParticipantBridge, findParticipant } from '../participants/index.ts';
import { type Result, Secret, invariant, ok, openSecret, refuse, sealSecret } from '../platform/index.ts';
import * as store from './store.ts';
import {
  type WechatCredentials,
  type WechatEndpoint,
  apiV3KeyBytes,
  callWechat,
  queryPath,
  walletErrorOf,
  wechatMapping,
} from './wechatpay/index.ts';

/** What a merchant gives for its channel with a WeChat Pay wallet: its own account there. */
export type WechatCredentialsInput = {
  mchid: string;
  appid: string;
  serialNo: string;
  privateKeyPem: string;
  apiV3Key: string;
};

export type CredentialsRefusal =
  | 'not_found'
  | 'invalid_request'
  | 'not_a_bridged_wallet'
  | 'invalid_transition'
  | 'bridge_credentials_refused'
  | 'bridge_unavailable'
  | 'bridge_answer_unverified';

/** Everything a call to the wallet for one channel needs; the secrets stay `Secret`s. */
export type WechatAccess = { endpoint: WechatEndpoint; credentials: WechatCredentials };

function checkInput(input: WechatCredentialsInput): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(input.apiV3Key, 'utf8') !== apiV3KeyBytes)
    errors.push({ pointer: '/apiV3Key', detail: `is ${apiV3KeyBytes} bytes, as WeChat Pay issues it` });
  try {
    if (createPrivateKey(input.privateKeyPem).asymmetricKeyType !== 'rsa')
      errors.push({ pointer: '/privateKeyPem', detail: 'is not an RSA private key' });
  } catch {
    errors.push({ pointer: '/privateKeyPem', detail: 'is not a PEM private key' });
  }
  return errors;
}

export function endpointOf(bridge: ParticipantBridge): WechatEndpoint {
  return {
    baseUrl: bridge.baseUrl,
    platformKeys: new Map(bridge.platformKeys.map((key) => [key.serial, key.publicKeyPem])),
  };
}

function credentialsOf(input: WechatCredentialsInput): WechatCredentials {
  return {
    mchid: input.mchid,
    appid: input.appid,
    serialNo: input.serialNo,
    privateKey: new Secret(input.privateKeyPem),
    apiV3Key: new Secret(input.apiV3Key),
  };
}

/**
 * The test call: a query of an order that cannot exist. Good credentials
 * get WeChat Pay's signed `404 ORDER_NOT_EXIST`; bad ones a `401
 * SIGN_ERROR` (or another error), which refuses them.
 */
async function probe(ctx: HubContext, access: WechatAccess): Promise<Result<true, CredentialsRefusal>> {
  const probeNo = `lintasprobe${ctx.random.bytes(8).toString('hex')}`;
  const answer = await callWechat(ctx, access.endpoint, access.credentials, {
    method: 'GET',
    path: queryPath(probeNo, access.credentials.mchid),
  });
  if (answer.ok) return refuse('bridge_credentials_refused', 'WeChat Pay found an order that cannot exist');
  if (answer.code !== 'bridge_wallet_error') return refuse(answer.code, answer.detail);
  const { status, error } = walletErrorOf(answer);
  if (wechatMapping.isOrderNotFound(status, error)) return ok(true);
  return refuse('bridge_credentials_refused', `WeChat Pay refused the test call: ${status} ${error.code}`, {
    walletCode: error.code,
    walletMessage: error.message,
  });
}

async function bridgedWalletOf(
  ctx: HubContext,
  caller: Caller,
  channelId: string,
): Promise<Result<{ channel: ChannelView; wallet: Participant & { bridge: ParticipantBridge } }, CredentialsRefusal>> {
  const channel = await findVisibleChannel(ctx.db.kysely, caller, channelId);
  if (!channel || caller.type !== 'merchant')
    return refuse('not_found', `channel application ${channelId} was not found`);
  const wallet = await findParticipant(ctx.db.kysely, channel.walletId);
  invariant(wallet !== undefined, `the wallet of channel ${channelId} exists`);
  const { bridge } = wallet;
  if (!bridge)
    return refuse('not_a_bridged_wallet', `wallet ${wallet.id} calls the hub itself: it needs no credentials`);
  if (channel.status === 'rejected' || channel.status === 'suspended')
    return refuse('invalid_transition', `a ${channel.status} channel takes no credentials`, { status: channel.status });
  return ok({ channel, wallet: { ...wallet, bridge } });
}

/**
 * A merchant gives its credentials at a bridged wallet for its channel. They
 * are proved by a signed test call (outside any transaction), then stored
 * sealed under the master key, and the channel approved, in one transaction.
 * Given again, they replace the old ones (a rotated key) once proved.
 */
export async function proveCredentials(
  ctx: HubContext,
  caller: Caller,
  channelId: string,
  input: WechatCredentialsInput,
): Promise<Result<ChannelView, CredentialsRefusal>> {
  const found = await bridgedWalletOf(ctx, caller, channelId);
  if (!found.ok) return found;
  const errors = checkInput(input);
  if (errors.length > 0) return refuse('invalid_request', 'the credentials have invalid fields', { errors });
  const { wallet } = found.value;
  const proved = await probe(ctx, { endpoint: endpointOf(wallet.bridge), credentials: credentialsOf(input) });
  if (!proved.ok) return proved;
  const sealed = sealSecret(JSON.stringify(input), ctx.config.masterKey, ctx.random);
  return inTransaction(ctx.db, async (tx) => {
    const at = ctx.clock.now().toISOString();
    await store.upsertCredentials(tx, { channelId, kind: wallet.bridge.kind, sealed, at });
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'channel.bridge_credentials_set',
      objectType: 'channel',
      objectId: channelId,
      before: null,
      after: { channelId, kind: wallet.bridge.kind, mchid: input.mchid, serialNo: input.serialNo },
    });
    return approveBridgedChannel(ctx, tx, channelId, { type: 'system', id: `bridge:${wallet.bridge.kind}` });
  });
}

/** The wallet's endpoint and the channel's credentials, opened for one call; undefined when none were given. */
export async function accessOf(
  ctx: HubContext,
  db: Queryable,
  channelId: string,
  walletId: string,
): Promise<WechatAccess | undefined> {
  const [sealed, wallet] = await Promise.all([
    store.findSealedCredentials(db, channelId),
    findParticipant(db, walletId),
  ]);
  if (sealed === undefined || !wallet?.bridge) return undefined;
  const input = JSON.parse(openSecret(sealed, ctx.config.masterKey).reveal()) as WechatCredentialsInput;
  return { endpoint: endpointOf(wallet.bridge), credentials: credentialsOf(input) };
}
