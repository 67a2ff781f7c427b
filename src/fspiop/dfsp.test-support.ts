/**
 * A small DFSP for tests: a real HTTP server on 127.0.0.1 that receives what
 * the hub sends it, checks every message against the FSPIOP definition
 * (a violation fails the test that reads `violations`), and a client that
 * sends FSPIOP requests to the hub as this DFSP.
 */
import { type KeyObject, createHash } from 'node:crypto';
import { CompactSign } from 'jose';
import { type TestHub, type TestParticipant, bearerClient, createParticipant } from '../testing/index.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../testing/index.ts';
import { createMerchant } from '../testing/world.ts';
import { type SchemaViolation, violationsOf } from './openapi.ts';

export type TestDfsp = {
  fspId: string;
  participant: TestParticipant;
  receiver: Receiver;
  /** What the hub sent, each checked against the definition. */
  violations: { request: string; violations: SchemaViolation[] }[];
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Resolves with the first message to `path` (by `method`) not yet taken, waiting up to `timeoutMs`. */
  received(method: string, path: string, timeoutMs?: number): Promise<ReceivedRequest>;
};

function resourceOf(path: string): string {
  return path.split('/')[1] ?? 'parties';
}

export function fspiopHeaders(fspId: string, path: string, extra: Record<string, string> = {}): Record<string, string> {
  const type = `application/vnd.interoperability.${resourceOf(path)}+json;version=1.0`;
  return { 'content-type': type, accept: type, date: new Date().toUTCString(), 'fspiop-source': fspId, ...extra };
}

const waitStepMs = 10;
const callbackPrefix = '/fspiop-callbacks';

/** Makes a participant, its merchant and its DFSP registration, reached at `callbackUrl`. */
export async function enrolDfsp(
  hub: TestHub,
  fspId: string,
  options: { cap: number; currency?: string; callbackUrl: string; jwsPublicKey?: string },
): Promise<TestParticipant> {
  const currency = options.currency ?? 'USD';
  const participant = await createParticipant(hub, {
    name: `DFSP ${fspId}`,
    roles: ['issuer', 'acquirer'],
    currencies: [currency],
    netDebitCaps: { [currency]: options.cap },
  });
  const merchant = await createMerchant(hub, participant, {
    name: `${fspId}`.slice(0, 25),
    currency,
    country: 'US',
    city: 'New York',
  });
  const operator = bearerClient(hub, hub.operatorToken);
  const registered = await operator('PUT', `/v1/fspiop/dfsps/${fspId}`, {
    participantId: participant.id,
    callbackUrl: options.callbackUrl,
    currencies: [currency],
    merchantId: merchant.id,
    ...(options.jwsPublicKey === undefined ? {} : { jwsPublicKey: options.jwsPublicKey }),
  });
  if (registered.status !== 200) throw new Error(`DFSP registration failed: ${registered.text}`);
  return participant;
}

/** Sends an FSPIOP request to the hub as DFSP `fspId`. */
export function sendAs(hub: TestHub, fspId: string) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}/fspiop${path}`, {
      method,
      headers: fspiopHeaders(fspId, path, headers),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

export async function joinDfsp(
  hub: TestHub,
  fspId: string,
  options: { cap: number; currency?: string; jwsPublicKey?: string },
): Promise<TestDfsp> {
  const violations: TestDfsp['violations'] = [];
  const taken = new Set<ReceivedRequest>();
  const receiver = await startReceiver(hub.clock, (request) => {
    const path = (request.path.split('?')[0] ?? '').slice(callbackPrefix.length);
    const body = request.body === '' ? undefined : JSON.parse(request.body);
    const method = request.method.toLowerCase() as 'get';
    const found = violationsOf({ method, path, headers: request.headers, body });
    if (found.length > 0) violations.push({ request: `${request.method} ${path}`, violations: found });
    return request.method === 'PUT' ? 200 : 202;
  });
  const participant = await enrolDfsp(hub, fspId, { ...options, callbackUrl: `${receiver.url}${callbackPrefix}` });
  return {
    fspId,
    participant,
    receiver,
    violations,
    send: sendAs(hub, fspId),
    received: async (method, path, timeoutMs = 5_000) => {
      const target = `${callbackPrefix}${path}`;
      for (let waited = 0; waited <= timeoutMs; waited += waitStepMs) {
        const found = receiver.requests.find(
          (request) => request.method === method && request.path === target && !taken.has(request),
        );
        if (found) {
          taken.add(found);
          return found;
        }
        await new Promise((resolve) => setTimeout(resolve, waitStepMs));
      }
      const seen = receiver.requests.map((request) => `${request.method} ${request.path}`).join(', ');
      throw new Error(`${fspId} never got ${method} ${path} (got: ${seen || 'nothing'})`);
    },
  };
}

/** A fulfilment and its condition, as a payee DFSP makes them. */
export function fulfilmentPair(seed: string): { fulfilment: string; condition: string } {
  const preimage = createHash('sha256').update(seed).digest();
  return {
    fulfilment: preimage.toString('base64url'),
    condition: createHash('sha256').update(preimage).digest('base64url'),
  };
}

export function bodyOf(request: ReceivedRequest): any {
  return JSON.parse(request.body);
}

/**
 * The headers a Mojaloop DFSP signs a message with, made as the SDK's JwsSigner makes them: an RS256
 * compact JWS of the body as sent, whose protected header names the URI, method, source, Date and
 * destination; FSPIOP-Signature carries its two outer parts.
 */
export async function mojaloopSignature(
  privateKey: KeyObject,
  message: { method: string; uri: string; source: string; destination?: string; body: unknown },
): Promise<Record<string, string>> {
  const date = new Date().toUTCString();
  const claims = {
    alg: 'RS256',
    'FSPIOP-URI': message.uri,
    'FSPIOP-HTTP-Method': message.method,
    'FSPIOP-Source': message.source,
    ...(message.destination === undefined ? {} : { 'FSPIOP-Destination': message.destination }),
    Date: date,
  };
  const payload = new TextEncoder().encode(JSON.stringify(message.body));
  const [protectedHeader, , signature] = (
    await new CompactSign(payload).setProtectedHeader(claims).sign(privateKey)
  ).split('.');
  return {
    date,
    'fspiop-uri': message.uri,
    'fspiop-http-method': message.method,
    'fspiop-signature': JSON.stringify({ signature, protectedHeader }),
    ...(message.destination === undefined ? {} : { 'fspiop-destination': message.destination }),
  };
}
