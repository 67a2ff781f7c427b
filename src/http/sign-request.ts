// The signer: outgoing requests signed the way signatures.ts verifies incoming ones (RFC 9421, Ed25519).
import type { KeyObject } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { cryptoRandom, invariant } from '../platform/index.ts';
import { computeContentDigest } from './content-digest.ts';
import { coveredWhenPresent, requiredComponents, signatureLabel } from './signatures.ts';

const generatedNonceBytes = 16;

export type RequestToSign = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
};

export type RequestSigningKey = {
  keyId: string;
  privateKey: KeyObject;
  now: () => Date;
  /** Defaults to 16 random bytes, base64url. */
  nonce?: string;
};

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function headerNamed(headers: Record<string, string | string[]>, name: string): string {
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  invariant(typeof value === 'string', `the signer produced a single ${name} header`);
  return value;
}

/**
 * Signs an outgoing request the way the hub verifies incoming ones, and
 * returns the headers to add, lowercased: `content-digest` (when there is a
 * body), `signature-input` and `signature`.
 */
export async function signRequest(request: RequestToSign, key: RequestSigningKey): Promise<Record<string, string>> {
  invariant(key.privateKey.type === 'private', 'signRequest is given a private key');
  invariant(key.privateKey.asymmetricKeyType === 'ed25519', 'signRequest is given an Ed25519 private key');
  for (const computed of ['content-digest', 'signature-input', 'signature']) {
    invariant(!hasHeader(request.headers, computed), `signRequest is not passed ${computed}: it computes it itself`);
  }
  const added: Record<string, string> = {};
  if (request.body !== undefined) added['content-digest'] = computeContentDigest(request.body);
  const headers = { ...request.headers, ...added };
  const fields = [...requiredComponents, ...coveredWhenPresent.filter((name) => hasHeader(headers, name))];
  const signed = await httpbis.signMessage(
    {
      key: createSigner(key.privateKey, 'ed25519', key.keyId),
      name: signatureLabel,
      fields,
      params: ['created', 'keyid', 'nonce', 'alg'],
      paramValues: {
        created: key.now(),
        keyid: key.keyId,
        nonce: key.nonce ?? cryptoRandom.bytes(generatedNonceBytes).toString('base64url'),
        alg: 'ed25519',
      },
    },
    { method: request.method, url: request.url, headers },
  );
  return {
    ...added,
    'signature-input': headerNamed(signed.headers, 'signature-input'),
    signature: headerNamed(signed.headers, 'signature'),
  };
}

export type ResponseToSign = { status: number; headers: Record<string, string>; body: string | Buffer };

/**
 * Signs an answer to a request the hub sent (a wallet's side: the demo's and
 * the crash test's wallets), the way `verifySignedResponse` checks it: the
 * headers to add are `content-digest`, `signature-input` and `signature`.
 */
export async function signResponse(response: ResponseToSign, key: RequestSigningKey): Promise<Record<string, string>> {
  invariant(key.privateKey.asymmetricKeyType === 'ed25519', 'signResponse is given an Ed25519 private key');
  const added = { 'content-digest': computeContentDigest(response.body) };
  const headers = { ...response.headers, ...added };
  const signed = await httpbis.signMessage(
    {
      key: createSigner(key.privateKey, 'ed25519', key.keyId),
      name: signatureLabel,
      fields: ['@status', 'content-digest', ...(hasHeader(headers, 'content-type') ? ['content-type'] : [])],
      params: ['created', 'keyid', 'nonce', 'alg'],
      paramValues: {
        created: key.now(),
        keyid: key.keyId,
        nonce: key.nonce ?? cryptoRandom.bytes(generatedNonceBytes).toString('base64url'),
        alg: 'ed25519',
      },
    },
    { status: response.status, headers },
  );
  return {
    ...added,
    'signature-input': headerNamed(signed.headers, 'signature-input'),
    signature: headerNamed(signed.headers, 'signature'),
  };
}
