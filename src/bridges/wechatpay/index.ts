// WeChat Pay API v3, reached as a merchant: the signed client, the pure
// mapping of its objects, and its signatures. The only door into
// src/bridges/wechatpay.
export {
  type WechatAnswer,
  type WechatCredentials,
  type WechatEndpoint,
  type WechatFailure,
  callWechat,
  closePath,
  h5Path,
  nativePath,
  queryPath,
  refundQueryPath,
  refundsPath,
  walletErrorOf,
} from './client.ts';
export * as wechatMapping from './mapping.ts';
export { apiV3KeyBytes, decryptResource, isRsaPublicKeyPem, verifyAnswer } from './signature.ts';
