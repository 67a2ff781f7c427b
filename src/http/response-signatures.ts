// A participant's answer to a request the hub sent it, signed as its requests are (RFC 9421 signs responses
// too): the policy is signatures.ts's, with `@status` in place of the request's derived components.
import type { InnerList } from 'structured-headers';
import {
  type HeaderMap,
  type SignatureVerdict,
  type SignatureVerifierPorts,
  checkDigest,
  checkFreshness,
  fieldValue,
  normaliseHeaders,
  readParameters,
  readSignatureHeaders,
  refuse,
  verifyMessageWithKey,
} from './signatures.ts';

/** What a participant's answer to the hub's request must cover: its status and its body. */
export const responseRequiredComponents = ['@status', 'content-digest'] as const;

/** An answer the hub received to a request it made. */
export type IncomingSignedResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

function readResponseComponents(input: InnerList, headers: HeaderMap): string | string[] {
  const components: string[] = [];
  for (const [name, params] of input[0]) {
    if (typeof name !== 'string') return 'covered components must be strings, e.g. "@status"';
    if (params.size > 0) return `component parameters are not supported (on "${name}")`;
    if (components.includes(name)) return `"${name}" is covered twice`;
    if (name.startsWith('@') && name !== '@status') return `derived component "${name}" is not supported on an answer`;
    if (!name.startsWith('@') && fieldValue(headers, name) === undefined)
      return `the covered header "${name}" is not in the answer`;
    components.push(name);
  }
  const required = [
    ...responseRequiredComponents,
    ...(fieldValue(headers, 'content-type') !== undefined ? ['content-type'] : []),
  ];
  const missing = required.filter((name) => !components.includes(name));
  if (missing.length > 0) return `the signature must cover ${missing.map((c) => `"${c}"`).join(' ')}`;
  return components;
}

/**
 * Verifies a participant's signed answer to a request the hub sent it (RFC
 * 9421 signs responses as it signs requests): one Ed25519 signature covering
 * `"@status"`, `"content-digest"` (the body must be there and match it) and
 * `"content-type"` when present, with `created` within the same window as a
 * request and the `keyid` of an active key of `participantId`, the
 * participant the hub asked. A `nonce` is not required: the body names what
 * it answers (an authorization id, amount and currency), which the caller
 * compares with what it asked, so an old answer replayed answers nothing new.
 */
export async function verifySignedResponse(
  response: IncomingSignedResponse,
  participantId: string,
  ports: Pick<SignatureVerifierPorts, 'findKey' | 'now'>,
): Promise<SignatureVerdict> {
  const headers = normaliseHeaders(response.headers);
  const read = readSignatureHeaders(headers);
  if ('ok' in read) return read;
  const parameters = readParameters(read.input[1], false);
  if (typeof parameters === 'string') return refuse('signature_invalid', parameters);
  const components = readResponseComponents(read.input, headers);
  if (typeof components === 'string') return refuse('signature_invalid', components);
  const stale = checkFreshness({ ...parameters, components }, ports.now());
  if (stale) return stale;
  const key = await ports.findKey(parameters.keyId);
  if (!key || key.participantId !== participantId)
    return refuse('key_unknown', `${participantId} has no key with keyid ${JSON.stringify(parameters.keyId)}`);
  if (key.status === 'revoked') return refuse('key_revoked', `key ${JSON.stringify(parameters.keyId)} was revoked`);
  if (fieldValue(headers, 'content-digest') === undefined)
    return refuse('digest_mismatch', 'an answer must send Content-Digest: sha-256=:<base64>: (RFC 9530)');
  const digest = checkDigest(headers, response.body);
  if (digest) return digest;
  const invalid = await verifyMessageWithKey(
    { status: response.status, headers },
    (name) => (name === '@status' ? [String(response.status)] : null),
    key.publicKey,
  );
  if (invalid) return invalid;
  return { ok: true, keyId: key.keyId, participantId: key.participantId };
}
