import type { KeyObject } from 'node:crypto';
import { invariant } from '../platform/index.ts';
import {
  createVerifier,
  httpbis,
  VerificationError,
  type ComponentParser,
  type Request as LibraryRequest,
} from 'http-message-signatures';
import { isInnerList, parseDictionary, type InnerList, type Parameters } from 'structured-headers';
import { verifyContentDigest } from './content-digest.ts';

/**
 * Participants prove who they are with RFC 9421 HTTP Message Signatures over
 * Ed25519 (docs/concepts.md, "Who calls, and how they prove it"); the hub signs its
 * callbacks the same way. The signature base is built by
 * `http-message-signatures`; this module decides policy: which components must
 * be covered, which parameters are required, how old a signature may be, and
 * that a nonce is used once.
 *
 * Refusals, in the order they are checked (the first failure is the answer):
 *
 * 1. `signature_missing`  no `Signature-Input` or no `Signature` header.
 * 2. `signature_invalid`  the headers are malformed: not structured
 *    dictionaries, not exactly one signature, labels that differ, a signature
 *    that is not 64 bytes, `created`/`keyid`/`nonce` missing or mistyped, an
 *    `alg` other than `ed25519`, or covered components that break the rules
 *    (required ones absent, parameters on components, unsupported derived
 *    components, duplicates, a covered header the request does not carry).
 * 3. `signature_expired`  `created` more than 300 s ago or more than 30 s
 *    ahead of the hub's clock, or `expires` passed.
 * 4. `key_unknown`        no key with this `keyid`.
 * 5. `key_revoked`        the key was revoked.
 * 6. `digest_mismatch`    a body without `Content-Digest`, or one that does
 *    not match it.
 * 7. `signature_invalid`  the Ed25519 signature does not verify.
 * 8. `nonce_reused`       this `(keyid, nonce)` was seen before.
 *
 * Why this order: 1-3 need neither the database nor the key, so a malformed
 * or stale request costs no query. The digest comes before the signature so a
 * client that digested other bytes than it sent is told exactly that. The
 * nonce comes last because recording it is a side effect only an authentic
 * request may have: otherwise whoever sees a request in flight could send a
 * tampered copy first and burn the genuine request's nonce.
 */
export type SignatureRefusal =
  | 'signature_missing'
  | 'signature_invalid'
  | 'signature_expired'
  | 'key_unknown'
  | 'key_revoked'
  | 'digest_mismatch'
  | 'nonce_reused';

export type SignatureKeyRecord = {
  keyId: string;
  participantId: string;
  status: 'active' | 'revoked';
  publicKey: KeyObject;
};

export interface SignatureVerifierPorts {
  findKey(keyId: string): Promise<SignatureKeyRecord | undefined>;
  /** Atomically records the nonce; returns false when (keyId, nonce) was seen before. Kept in the DB by the caller. */
  useNonce(keyId: string, nonce: string, expiresAt: Date): Promise<boolean>;
  now(): Date;
}

/**
 * A request as the server received it. `authority` is the Host (lowercased
 * here; the caller omits a default port), `path` the target path without the
 * query, `query` the query with its `?`, or `?` (or '') when there is none.
 */
export type IncomingSignedRequest = {
  method: string;
  authority: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
};

export type SignatureVerdict =
  | { ok: true; keyId: string; participantId: string }
  | { ok: false; code: SignatureRefusal; detail: string };

export type Refusal = Extract<SignatureVerdict, { ok: false }>;

/** How old `created` may be. */
export const signatureMaxAgeSeconds = 300;
/** How far ahead of the hub's clock `created` may be: the two clocks are never quite equal. */
export const signatureFutureSkewSecondsMax = 30;
/** Nonces are kept this long past the end of their signature's validity, for clocks of several hub processes. */
export const nonceRetentionMarginSeconds = 60;
export const nonceCharsMax = 128;
export const keyIdCharsMax = 128;
/** Per header, Signature and Signature-Input; one Ed25519 signature needs about 200 characters. */
export const signatureHeaderCharsMax = 4096;

const ed25519SignatureBytes = 64;
export const requiredComponents = ['@method', '@authority', '@path', '@query'] as const;
/** Header fields that must be covered whenever the request carries them. */
export const coveredWhenPresent = ['content-digest', 'content-type', 'idempotency-key'] as const;
export const signatureLabel = 'sig';

export function refuse(code: SignatureRefusal, detail: string): Refusal {
  return { ok: false, code, detail };
}

// ---------------------------------------------------------------- headers

export type HeaderMap = Record<string, string | string[]>;

/**
 * Lowercased names, no undefined values, and no prototype: a covered
 * component named "constructor" or "__proto__" must read as absent, not as
 * a property of Object.prototype.
 */
export function normaliseHeaders(raw: IncomingSignedRequest['headers']): HeaderMap {
  const headers = Object.create(null) as HeaderMap;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const existing = headers[key];
    headers[key] = existing === undefined ? value : [existing, value].flat();
  }
  return headers;
}

/** A field's value as RFC 9110 combines repeated lines: joined with ", ". */
export function fieldValue(headers: HeaderMap, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

// ---------------------------------------------------------------- 2. the signature's form

type ParsedSignature = {
  components: string[];
  created: number;
  expires: number | undefined;
  keyId: string;
  nonce: string;
};

function parseDictionaryOrUndefined(text: string) {
  try {
    return parseDictionary(text);
  } catch {
    return undefined;
  }
}

export function readSignatureHeaders(headers: HeaderMap): Refusal | { input: InnerList } {
  const inputText = fieldValue(headers, 'signature-input');
  const signatureText = fieldValue(headers, 'signature');
  if (inputText === undefined && signatureText === undefined) {
    return refuse(
      'signature_missing',
      'sign the request (RFC 9421): Signature-Input and Signature headers are missing',
    );
  }
  if (inputText === undefined) return refuse('signature_missing', 'the Signature-Input header is missing');
  if (signatureText === undefined) return refuse('signature_missing', 'the Signature header is missing');
  if (inputText.length > signatureHeaderCharsMax || signatureText.length > signatureHeaderCharsMax) {
    return refuse(
      'signature_invalid',
      `Signature and Signature-Input may have at most ${signatureHeaderCharsMax} characters each`,
    );
  }
  const inputs = parseDictionaryOrUndefined(inputText);
  const signatures = parseDictionaryOrUndefined(signatureText);
  if (!inputs || !signatures)
    return refuse('signature_invalid', 'Signature and Signature-Input must be structured dictionaries (RFC 8941)');
  if (inputs.size !== 1 || signatures.size !== 1) {
    return refuse(
      'signature_invalid',
      `send exactly one signature; got ${inputs.size} inputs and ${signatures.size} signatures`,
    );
  }
  const [label, input] = [...inputs.entries()][0] ?? [];
  const signature = label === undefined ? undefined : signatures.get(label);
  if (label === undefined || input === undefined || !signature) {
    return refuse('signature_invalid', `Signature has no member labelled ${label ?? ''}, as Signature-Input does`);
  }
  if (!isInnerList(input))
    return refuse('signature_invalid', 'Signature-Input must be an inner list of components with parameters');
  if (!(signature[0] instanceof ArrayBuffer) || signature[0].byteLength !== ed25519SignatureBytes) {
    return refuse('signature_invalid', `Signature must be a byte sequence of ${ed25519SignatureBytes} bytes (Ed25519)`);
  }
  return { input };
}

export function readParameters(params: Parameters, nonceRequired = true): string | Omit<ParsedSignature, 'components'> {
  const created = params.get('created');
  const expires = params.get('expires');
  const keyId = params.get('keyid');
  const nonce = params.get('nonce');
  const alg = params.get('alg');
  if (typeof created !== 'number' || !Number.isInteger(created))
    return 'created is required: an integer of Unix seconds';
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires)))
    return 'expires must be an integer of Unix seconds';
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > keyIdCharsMax) {
    return `keyid is required: a string of 1 to ${keyIdCharsMax} characters`;
  }
  if (
    !(nonce === undefined && !nonceRequired) &&
    (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > nonceCharsMax)
  ) {
    return `nonce is required: a string of 1 to ${nonceCharsMax} characters, never reused`;
  }
  if (alg !== undefined && alg !== 'ed25519') return 'alg must be "ed25519" when present';
  return { created, expires, keyId, nonce: typeof nonce === 'string' ? nonce : '' };
}

function readComponents(input: InnerList, headers: HeaderMap): string | string[] {
  const components: string[] = [];
  for (const [name, params] of input[0]) {
    if (typeof name !== 'string') return 'covered components must be strings, e.g. "@method"';
    if (params.size > 0) return `component parameters are not supported (on "${name}")`;
    if (name !== name.toLowerCase()) return `component names are lowercase ("${name}")`;
    if (components.includes(name)) return `"${name}" is covered twice`;
    const derived = name.startsWith('@');
    if (derived && !(requiredComponents as readonly string[]).includes(name)) {
      return `derived component "${name}" is not supported; use ${requiredComponents.map((c) => `"${c}"`).join(' ')}`;
    }
    if (!derived && fieldValue(headers, name) === undefined)
      return `the covered header "${name}" is not in the request`;
    components.push(name);
  }
  const required = [
    ...requiredComponents,
    ...coveredWhenPresent.filter((name) => fieldValue(headers, name) !== undefined),
  ];
  const missing = required.filter((name) => !components.includes(name));
  if (missing.length > 0) return `the signature must cover ${missing.map((c) => `"${c}"`).join(' ')}`;
  return components;
}

function readSignature(headers: HeaderMap): Refusal | ParsedSignature {
  const read = readSignatureHeaders(headers);
  if ('ok' in read) return read;
  const parameters = readParameters(read.input[1]);
  if (typeof parameters === 'string') return refuse('signature_invalid', parameters);
  const components = readComponents(read.input, headers);
  if (typeof components === 'string') return refuse('signature_invalid', components);
  return { ...parameters, components };
}

// ---------------------------------------------------------------- 3, 6, 7: time, body, signature

export function checkFreshness(signature: ParsedSignature, now: Date): Refusal | undefined {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const ageSeconds = nowSeconds - signature.created;
  if (ageSeconds > signatureMaxAgeSeconds) {
    return refuse(
      'signature_expired',
      `created is ${ageSeconds} s old; at most ${signatureMaxAgeSeconds} s is accepted`,
    );
  }
  if (-ageSeconds > signatureFutureSkewSecondsMax) {
    return refuse('signature_expired', `created is ${-ageSeconds} s in the future; check the signer's clock`);
  }
  if (signature.expires !== undefined && nowSeconds > signature.expires) {
    return refuse('signature_expired', 'the signature expires parameter has passed');
  }
  return undefined;
}

export function checkDigest(headers: HeaderMap, body: Buffer | undefined): Refusal | undefined {
  const header = fieldValue(headers, 'content-digest');
  if (header === undefined) {
    if (body === undefined || body.length === 0) return undefined;
    return refuse('digest_mismatch', 'a request with a body must send Content-Digest: sha-256=:<base64>: (RFC 9530)');
  }
  const verdict = verifyContentDigest(header, body ?? Buffer.alloc(0));
  return verdict.ok ? undefined : refuse('digest_mismatch', verdict.detail);
}

/** Derived components come from the request as received, not from a re-parsed URL. */
function derivedComponents(request: IncomingSignedRequest): ComponentParser {
  const values = new Map<string, string>([
    ['@method', request.method],
    ['@authority', request.authority.toLowerCase()],
    ['@path', request.path === '' ? '/' : request.path],
    ['@query', request.query === '' ? '?' : request.query],
  ]);
  return (name) => {
    const value = values.get(name);
    return value === undefined ? null : [value];
  };
}

/** The library's verdict over a message whose derived components come from `componentParser`. */
export async function verifyMessageWithKey(
  message: LibraryRequest | { status: number; headers: HeaderMap },
  componentParser: ComponentParser,
  key: KeyObject,
): Promise<Refusal | undefined> {
  try {
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async () => ({ algs: ['ed25519'], verify: createVerifier(key, 'ed25519') }),
        componentParser,
        // The library would compare created/expires with Date.now(); the hub reads time only through
        // ports.now() and checked both in checkFreshness. A tolerance this large makes its bounds unreachable.
        tolerance: Number.MAX_SAFE_INTEGER,
      },
      message as LibraryRequest,
    );
    return verified === true
      ? undefined
      : refuse('signature_invalid', 'the Ed25519 signature does not verify over the signature base');
  } catch (error) {
    // The form was checked before, so only the library's verdicts land here; anything else is a bug.
    if (error instanceof VerificationError) return refuse('signature_invalid', error.message);
    throw error;
  }
}

function checkSignature(
  request: IncomingSignedRequest,
  headers: HeaderMap,
  key: KeyObject,
): Promise<Refusal | undefined> {
  const message: LibraryRequest = {
    method: request.method,
    // Only for the library's types: every derived component it may meet comes from derivedComponents.
    url: `https://${request.authority}${request.path}${request.query === '?' ? '' : request.query}`,
    headers,
  };
  return verifyMessageWithKey(message, derivedComponents(request), key);
}

// ---------------------------------------------------------------- the verifier

/** Verifies a participant's signed request; see SignatureRefusal for the order of checks. */
export async function verifySignedRequest(
  request: IncomingSignedRequest,
  ports: SignatureVerifierPorts,
): Promise<SignatureVerdict> {
  const headers = normaliseHeaders(request.headers);
  const signature = readSignature(headers);
  if ('ok' in signature) return signature;
  const now = ports.now();
  const stale = checkFreshness(signature, now);
  if (stale) return stale;
  const key = await ports.findKey(signature.keyId);
  if (!key) return refuse('key_unknown', `no key has keyid ${JSON.stringify(signature.keyId)}`);
  invariant(
    key.keyId === signature.keyId,
    `findKey(${signature.keyId}) answers that key (it returned key ${key.keyId})`,
  );
  if (key.status === 'revoked') return refuse('key_revoked', `key ${JSON.stringify(signature.keyId)} was revoked`);
  const digest = checkDigest(headers, request.body);
  if (digest) return digest;
  const invalid = await checkSignature(request, headers, key.publicKey);
  if (invalid) return invalid;
  const nonceExpiresAt = new Date((signature.created + signatureMaxAgeSeconds + nonceRetentionMarginSeconds) * 1000);
  if (!(await ports.useNonce(signature.keyId, signature.nonce, nonceExpiresAt))) {
    return refuse('nonce_reused', 'this nonce was already used with this key: sign each request with a new nonce');
  }
  return { ok: true, keyId: key.keyId, participantId: key.participantId };
}
