/**
 * RFC 9457 problem details. Every refusal the hub can answer has one stable
 * code here, with its HTTP status and title; routes raise codes, never
 * free-form statuses.
 */
import { invariant } from '../platform/index.ts';
const problemCatalogue = {
  invalid_request: [400, 'The request is not valid'],
  idempotency_key_missing: [400, 'An Idempotency-Key header is required'],
  signature_missing: [401, 'The request is not signed'],
  signature_invalid: [401, 'The signature does not verify'],
  key_unknown: [401, 'The signing key is not known'],
  key_revoked: [401, 'The signing key was revoked'],
  digest_mismatch: [401, 'The body does not match its Content-Digest'],
  signature_expired: [401, 'The signature is too old or from the future'],
  nonce_reused: [401, 'The signature nonce was already used'],
  unauthenticated: [401, 'Authentication is required'],
  payment_declined: [402, 'The payment was declined'],
  limit_exceeded: [402, 'The net debit cap would be exceeded'],
  forbidden: [403, 'The caller may not do this'],
  participant_suspended: [403, 'The participant is suspended'],
  not_found: [404, 'Not found'],
  method_not_allowed: [405, 'Method not allowed'],
  request_timeout: [408, 'The request did not arrive in time'],
  checkout_already_paid: [409, 'The checkout is already paid'],
  idempotency_request_in_progress: [409, 'A request with this Idempotency-Key is still in progress'],
  reference_in_use: [409, 'The reference is already in use'],
  key_id_taken: [409, 'The key id is already taken'],
  charge_reversed: [409, 'The charge was reversed'],
  body_too_large: [413, 'The request body is too large'],
  unsupported_media_type: [415, 'The content type is not supported'],
  headers_too_large: [431, 'The request headers are too large'],
  rate_limited: [429, 'Too many requests'],
  idempotency_key_reused: [422, 'The Idempotency-Key was used with another request'],
  invalid_transition: [422, 'The object is not in a status that allows this'],
  url_not_allowed: [422, 'The URL is not allowed'],
  currency_not_supported: [422, 'The currency is not supported'],
  role_missing: [422, 'The participant does not have the role this needs'],
  prefix_overlap: [422, 'The payment-code prefix overlaps another participant'],
  participant_not_active: [422, 'The participant is not active'],
  merchant_suspended: [422, 'The merchant is suspended'],
  internal_error: [500, 'Internal error'],
  service_unavailable: [503, 'Service unavailable'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemCode = keyof typeof problemCatalogue;

export type FieldError = { pointer: string; detail: string };

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

/** Codes added by later capabilities register here with their status and title. */
const extraCodes = new Map<string, readonly [number, string]>();

export function registerProblemCodes(codes: Record<string, readonly [number, string]>): void {
  for (const [code, entry] of Object.entries(codes)) {
    const known = (problemCatalogue as Record<string, readonly [number, string]>)[code] ?? extraCodes.get(code);
    invariant(
      !known || (known[0] === entry[0] && known[1] === entry[1]),
      `problem code ${code} is registered once, or again with the same status and title`,
    );
    extraCodes.set(code, entry);
  }
}

function lookup(code: string): readonly [number, string] {
  const entry = (problemCatalogue as Record<string, readonly [number, string]>)[code] ?? extraCodes.get(code);
  invariant(entry, `problem code ${code} is registered`);
  return entry;
}

export const problemTypeBase = 'https://lintas.dev/problems/';

/** An expected refusal, thrown out of a route and rendered by the error handler. */
export class Problem extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = lookup(code)[0];
  }

  toBody(): ProblemBody {
    const [status, title] = lookup(this.code);
    return {
      type: `${problemTypeBase}${this.code}`,
      title,
      status,
      detail: this.detail,
      code: this.code,
      ...this.extensions,
    };
  }
}

/** The status and title of a registered code. */
export function problemEntryOf(code: string): readonly [number, string] {
  return lookup(code);
}

/** Every code registered so far: the base catalogue's and the capabilities'. */
export function registeredProblemCodes(): string[] {
  return [...new Set([...Object.keys(problemCatalogue), ...extraCodes.keys()])];
}

export function statusOfCode(code: string): number {
  return lookup(code)[0];
}

export function invalidRequest(errors: FieldError[], detail = 'The request has invalid fields'): Problem {
  return new Problem('invalid_request', detail, { errors });
}

export function notFound(what: string): Problem {
  return new Problem('not_found', `${what} was not found`);
}
