/**
 * FSPIOP (Mojaloop's FSP Interoperability API, v1.1) as Lintas speaks it:
 * the error codes it answers, the headers of a callback, the transfer
 * states, and the checks on a transfer's condition and fulfilment. Pure
 * rules, no I/O.
 */
import { createHash } from 'node:crypto';

/** The FSPIOP error codes Lintas sends, each with the standard's description. */
export const fspiopErrors = {
  '1001': 'Destination communication error',
  '2001': 'Internal server error',
  '3001': 'Unacceptable version requested',
  '3002': 'Unknown URI',
  '3003': 'Add Party information error',
  '3100': 'Generic validation error',
  '3101': 'Malformed syntax',
  '3105': 'Invalid signature',
  '3106': 'Modified request',
  '3200': 'Generic ID not found',
  '3201': 'Destination FSP Error',
  '3202': 'Payer FSP ID not found',
  '3203': 'Payee FSP ID not found',
  '3204': 'Party not found',
  '3208': 'Transfer ID not found',
  '3303': 'Transfer expired',
  '4001': 'Payer FSP insufficient liquidity',
  '5000': 'Generic Payee error',
  '5101': 'Payee rejected quote',
  '5104': 'Payee rejected transaction',
} as const;

export type FspiopErrorCode = keyof typeof fspiopErrors;

export type ErrorInformation = { errorInformation: { errorCode: FspiopErrorCode; errorDescription: string } };

/** Longest errorDescription the definition allows (ErrorDescription: 1..128 characters). */
export const errorDescriptionCharsMax = 128;

export function errorInformationOf(code: FspiopErrorCode, detail?: string): ErrorInformation {
  const description = detail === undefined ? fspiopErrors[code] : `${fspiopErrors[code]} - ${detail}`;
  return { errorInformation: { errorCode: code, errorDescription: description.slice(0, errorDescriptionCharsMax) } };
}

/** FSPIOP resources Lintas routes; each names its content type. */
export type FspiopResource = 'participants' | 'parties' | 'quotes' | 'transfers';

/**
 * The version of the messages Lintas makes itself (its errors, the oracle's answers); requests at 1.0 are
 * accepted too (the two differ in nothing Lintas routes).
 */
export const sentVersion = '1.1';
export const acceptedVersions: readonly string[] = ['1.0', '1.1'];

export function contentTypeOf(resource: FspiopResource, version: string = sentVersion): string {
  return `application/vnd.interoperability.${resource}+json;version=${version}`;
}

const contentTypePattern = /^application\/vnd\.interoperability\.([a-zA-Z]+)\+json\s*;\s*version=(\d+\.\d+)\s*$/;

/** The resource and version a content type or accept header names, if it is an FSPIOP one. */
export function parseContentType(header: string | undefined): { resource: string; version: string } | undefined {
  const match = header === undefined ? null : contentTypePattern.exec(header);
  if (!match?.[1] || !match[2]) return undefined;
  return { resource: match[1], version: match[2] };
}

/**
 * The version a DFSP's message is passed on at: the one its Content-Type names, as Mojaloop's switch keeps
 * a DFSP's Content-Type when it forwards (central-services-shared transformHeaders); Lintas's own otherwise.
 */
export function senderVersionOf(contentType: string | undefined): string {
  const version = parseContentType(contentType)?.version;
  return version !== undefined && acceptedVersions.includes(version) ? version : sentVersion;
}

/** The FSPIOP transfer states Lintas keeps; RECEIVED is never stored, since a transfer is reserved on arrival. */
export type FspiopTransferState = 'RESERVED' | 'COMMITTED' | 'ABORTED';

export type FspiopTransferEvent = 'commit' | 'abort';

const transferTransitions: Record<FspiopTransferState, Partial<Record<FspiopTransferEvent, FspiopTransferState>>> = {
  RESERVED: { commit: 'COMMITTED', abort: 'ABORTED' },
  COMMITTED: {},
  ABORTED: {},
};

export function nextTransferState(
  from: FspiopTransferState,
  event: FspiopTransferEvent,
): FspiopTransferState | undefined {
  return transferTransitions[from][event];
}

/** A fulfilment fulfils its condition when SHA-256 of its 32 bytes is the condition's 32 bytes (both base64url). */
export function fulfils(fulfilment: string, condition: string): boolean {
  const preimage = Buffer.from(fulfilment, 'base64url');
  if (preimage.length !== 32) return false;
  return createHash('sha256').update(preimage).digest('base64url') === condition;
}

/** JSON with keys sorted at every level, so two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bodyHashOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

/**
 * Headers a hop passes on untouched: the end-to-end signature and what it covers (the sender's Date is in
 * its protected header, so the hub's own would break it).
 */
export const forwardedHeaders = [
  'fspiop-signature',
  'fspiop-uri',
  'fspiop-http-method',
  'fspiop-encryption',
  'date',
] as const;

/**
 * The headers of a message the hub sends: its own Date, the source and destination, and the resource's
 * content type at `version` (the hub's own when unset).
 */
export function callbackHeaders(input: {
  resource: FspiopResource;
  source: string;
  destination: string;
  at: Date;
  version?: string;
  forwarded?: Readonly<Record<string, string | undefined>>;
}): Record<string, string> {
  const contentType = contentTypeOf(input.resource, input.version);
  const headers: Record<string, string> = {
    'content-type': contentType,
    // Sent on callbacks too: without it fetch says `*/*`, which the Mojaloop SDK refuses as malformed (3101).
    accept: contentType,
    date: input.at.toUTCString(),
    'fspiop-source': input.source,
    'fspiop-destination': input.destination,
  };
  for (const name of forwardedHeaders) {
    const value = input.forwarded?.[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** The FSPIOP name of the hub itself, as FSPIOP-Source of the errors it makes. */
export const hubFspId = 'lintas';
