import { createCipheriv, createDecipheriv, createPublicKey, createSign, createVerify } from 'node:crypto';
import { type Result, ok, refuse } from '../../platform/index.ts';

/**
 * WeChat Pay API v3 signatures, written from the protocol with node:crypto
 * and proved against `wechatpay-axios-plugin` in `signature.test.ts`. The
 * plugin is not used at run time: it sends through its own axios transport,
 * and every call of the hub goes through `ctx.http` (the one outbound
 * dispatcher with its address guard and deadlines).
 */

export const authorizationSchema = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat Pay refuses, and the hub refuses, a signed message more than 5 minutes off the clock. */
export const clockSkewSecondsMax = 300;
export const apiV3KeyBytes = 32;
const gcmTagBytes = 16;

/** What a merchant signs: `METHOD\nPATH?QUERY\nunixSeconds\nnonce\nbody\n`. */
export function requestMessage(method: string, pathAndQuery: string, timestamp: number, nonce: string, body: string) {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** What WeChat Pay signs in an answer or a notification: `timestamp\nnonce\nbody\n`. */
export function answerMessage(timestamp: string | number, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** SHA256withRSA (PKCS#1 v1.5), base64. */
export function signMessage(message: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(message).sign(privateKeyPem, 'base64');
}

export function verifyMessage(message: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

/** Whether a PEM text is an RSA public key (SPKI or a certificate's). */
export function isRsaPublicKeyPem(pem: string): boolean {
  try {
    return createPublicKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

export type AuthorizationFields = {
  mchid: string;
  serialNo: string;
  nonce: string;
  timestamp: number;
  signature: string;
};

export function authorizationHeader(fields: AuthorizationFields): string {
  return `${authorizationSchema} mchid="${fields.mchid}",nonce_str="${fields.nonce}",signature="${fields.signature}",timestamp="${fields.timestamp}",serial_no="${fields.serialNo}"`;
}

/** The fields of an `Authorization` header, in any order; undefined when one is missing. */
export function parseAuthorization(header: string): AuthorizationFields | undefined {
  if (!header.startsWith(`${authorizationSchema} `)) return undefined;
  const fields = new Map<string, string>();
  for (const match of header.slice(authorizationSchema.length + 1).matchAll(/([a-z_]+)="([^"]*)"/g))
    fields.set(match[1] as string, match[2] as string);
  const [mchid, serialNo, nonce, timestamp, signature] = [
    'mchid',
    'serial_no',
    'nonce_str',
    'timestamp',
    'signature',
  ].map((name) => fields.get(name));
  if (!mchid || !serialNo || !nonce || !timestamp || !signature || !/^[0-9]{1,12}$/.test(timestamp)) return undefined;
  return { mchid, serialNo, nonce, timestamp: Number(timestamp), signature };
}

export type AnswerRefusal = 'signature_missing' | 'bridge_key_unknown' | 'bridge_clock_skew' | 'signature_invalid';

/**
 * Checks a signed answer or notification: the platform key is the one
 * `Wechatpay-Serial` names among the wallet's registered keys, and the
 * timestamp is within 300 s of the hub's clock. Header names are lowercase.
 */
export function verifyAnswer(
  headers: Record<string, string | undefined>,
  body: string,
  platformKeys: ReadonlyMap<string, string>,
  nowSeconds: number,
): Result<true, AnswerRefusal> {
  const timestamp = headers['wechatpay-timestamp'];
  const nonce = headers['wechatpay-nonce'];
  const serial = headers['wechatpay-serial'];
  const signature = headers['wechatpay-signature'];
  if (!timestamp || !nonce || !serial || !signature || !/^[0-9]{1,12}$/.test(timestamp))
    return refuse('signature_missing', 'the answer carries no WeChat Pay signature headers');
  const key = platformKeys.get(serial);
  if (!key) return refuse('bridge_key_unknown', `platform key ${serial} is not registered for this wallet`);
  if (Math.abs(nowSeconds - Number(timestamp)) > clockSkewSecondsMax)
    return refuse('bridge_clock_skew', `the answer's timestamp is more than ${clockSkewSecondsMax} s off the clock`);
  if (!verifyMessage(answerMessage(timestamp, nonce, body), signature, key))
    return refuse('signature_invalid', 'the answer does not verify with the platform key');
  return ok(true);
}

export type EncryptedResource = {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string | undefined;
  original_type?: string | undefined;
};

/** AEAD_AES_256_GCM with the APIv3 key: the ciphertext is base64 of the encrypted bytes then the 16-byte tag. */
export function decryptResource(
  resource: EncryptedResource,
  apiV3Key: string,
): Result<string, 'bridge_resource_invalid'> {
  const key = Buffer.from(apiV3Key, 'utf8');
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (resource.algorithm !== 'AEAD_AES_256_GCM' || key.length !== apiV3KeyBytes || sealed.length <= gcmTagBytes)
    return refuse('bridge_resource_invalid', 'the notification resource is not AEAD_AES_256_GCM under a 32-byte key');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - gcmTagBytes));
    const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - gcmTagBytes)), decipher.final()]);
    return ok(plain.toString('utf8'));
  } catch {
    return refuse('bridge_resource_invalid', 'the notification resource does not decrypt with the APIv3 key');
  }
}

/** The wallet's side of `decryptResource`, for the emulator. */
export function encryptResource(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64');
}
