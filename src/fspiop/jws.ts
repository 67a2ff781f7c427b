/**
 * Mojaloop's JWS on FSPIOP messages: `FSPIOP-Signature` is `{"signature", "protectedHeader"}`, the two
 * outer parts of a compact RS256 JWS whose payload is the body as sent, and the protected header names
 * `FSPIOP-URI`, `FSPIOP-HTTP-Method`, `FSPIOP-Source` (and `Date`, `FSPIOP-Destination` when sent), which
 * must match the request. The checks are those of the SDK's own validator
 * (@mojaloop/sdk-standard-components, lib/jws/jwsValidator.js), on the bytes received rather than the
 * body parsed and serialised again, and with the URI and method also held to the request's own.
 */
import { createPublicKey } from 'node:crypto';
import { compactVerify, importSPKI } from 'jose';

/** The one algorithm Mojaloop's JWS allows. */
export const jwsAlgorithm = 'RS256';
const rsaBitsMin = 2048;

export type SignedMessage = {
  method: string;
  /** The resource path under the FSPIOP base, as the signer names it in FSPIOP-URI. */
  path: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer | undefined;
};

/** Why a PEM is no JWS public key Lintas can verify with; undefined when it is one. */
export function jwsKeyRefusal(pem: string): string | undefined {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') return `a ${key.asymmetricKeyType} key, RS256 needs RSA`;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits < rsaBitsMin ? `a ${bits}-bit RSA key, at least ${rsaBitsMin} needed` : undefined;
  } catch (error) {
    return `not a PEM public key (${(error as Error).message})`;
  }
}

/**
 * Whether a message must be signed when its sender has a key: every one with a body, except
 * `PUT /parties`, which the Mojaloop SDK signs only when told to (JWS_SIGN_PUT_PARTIES) and by default
 * does not check (VALIDATE_INBOUND_PUT_PARTIES_JWS). A signature that is there is checked all the same.
 */
export function signatureRequired(message: Pick<SignedMessage, 'method' | 'path'>): boolean {
  const method = message.method.toUpperCase();
  if (method !== 'POST' && method !== 'PUT') return false;
  return !(method === 'PUT' && message.path.startsWith('/parties/'));
}

const importedKeys = new Map<string, ReturnType<typeof importSPKI>>();

function keyOf(pem: string): ReturnType<typeof importSPKI> {
  let key = importedKeys.get(pem);
  if (!key) {
    key = importSPKI(pem, jwsAlgorithm);
    importedKeys.set(pem, key);
  }
  return key;
}

const header = (message: SignedMessage, name: string): string | undefined => {
  const value = message.headers[name];
  return typeof value === 'string' ? value : undefined;
};

function parseSignatureHeader(value: string): { protectedHeader: string; signature: string } | undefined {
  try {
    const parsed = JSON.parse(value) as { protectedHeader?: unknown; signature?: unknown };
    if (typeof parsed.protectedHeader !== 'string' || typeof parsed.signature !== 'string') return undefined;
    return { protectedHeader: parsed.protectedHeader, signature: parsed.signature };
  } catch {
    return undefined;
  }
}

/** What the protected header must say: each named field equal to the request's own. */
function protectedHeaderRefusal(message: SignedMessage, claims: Record<string, unknown>): string | undefined {
  const method = message.method.toUpperCase();
  const expected: [string, string | undefined][] = [
    ['FSPIOP-URI', header(message, 'fspiop-uri')],
    ['FSPIOP-HTTP-Method', header(message, 'fspiop-http-method')],
    ['FSPIOP-Source', header(message, 'fspiop-source')],
  ];
  for (const [name, value] of expected) {
    if (claims[name] === undefined) return `the protected header has no ${name}`;
    if (claims[name] !== value) return `the protected header's ${name} is not the request's ${name} header`;
  }
  if (claims['FSPIOP-URI'] !== message.path) return `FSPIOP-URI ${claims['FSPIOP-URI']} is not ${message.path}`;
  if (claims['FSPIOP-HTTP-Method'] !== method) return `FSPIOP-HTTP-Method is not ${method}`;
  if (claims.Date !== undefined && claims.Date !== header(message, 'date')) {
    return "the protected header's Date is not the Date header";
  }
  const destination = header(message, 'fspiop-destination');
  if (claims['FSPIOP-Destination'] !== destination) {
    return "the protected header's FSPIOP-Destination is not the FSPIOP-Destination header";
  }
  return undefined;
}

/** Why a message from the holder of `publicKeyPem` fails its signature; undefined when it passes. */
export async function signatureRefusal(publicKeyPem: string, message: SignedMessage): Promise<string | undefined> {
  const value = header(message, 'fspiop-signature');
  if (value === undefined) return signatureRequired(message) ? 'FSPIOP-Signature is required' : undefined;
  const parts = parseSignatureHeader(value);
  if (!parts) return 'FSPIOP-Signature is not {"signature", "protectedHeader"}';
  if (message.rawBody === undefined || message.rawBody.length === 0) return 'a signed message needs a body';
  const token = `${parts.protectedHeader}.${message.rawBody.toString('base64url')}.${parts.signature}`;
  let claims: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, await keyOf(publicKeyPem), { algorithms: [jwsAlgorithm] });
    claims = verified.protectedHeader as Record<string, unknown>;
  } catch (error) {
    return `the signature does not verify (${(error as Error).message})`;
  }
  return protectedHeaderRefusal(message, claims);
}
