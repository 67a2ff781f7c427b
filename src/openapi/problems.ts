/**
 * Which problem codes an operation may answer. The transport and the route's
 * configuration say most of it (who may call, whether it is idempotent,
 * whether it takes a body or an id); the rest is what its capability
 * refuses: the codes the capability registers, and the codes of the base
 * catalogue its use cases raise (`capabilityRaises`). The lists are what an
 * operation may answer at most: a caller handles every code listed.
 */
import type { CallerType } from '../http/index.ts';

export type RouteFacts = {
  readonly method: string;
  readonly path: string;
  readonly auth: readonly CallerType[];
  readonly idempotent: boolean;
  readonly capability: string | undefined;
};

/** Any request may meet these, whatever it asks. */
const transportCodes = [
  'invalid_request',
  'request_timeout',
  'rate_limited',
  'headers_too_large',
  'internal_error',
  'service_unavailable',
];
const bodyCodes = ['body_too_large', 'unsupported_media_type'];
const bearerCodes = ['unauthenticated', 'forbidden'];
const signatureCodes = [
  'signature_missing',
  'signature_invalid',
  'key_unknown',
  'key_revoked',
  'digest_mismatch',
  'signature_expired',
  'nonce_reused',
  'participant_suspended',
];
const idempotencyCodes = ['idempotency_key_missing', 'idempotency_key_reused', 'idempotency_request_in_progress'];

/**
 * Codes of the base catalogue (`src/http/problems.ts`) that a capability's
 * use cases raise, read from where each is raised; the codes a capability
 * registers itself come from its manifest.
 */
export const capabilityRaises: Readonly<Record<string, readonly string[]>> = {
  participants: ['key_id_taken', 'prefix_overlap', 'url_not_allowed', 'invalid_transition'],
  merchants: [
    'role_missing',
    'participant_not_active',
    'participant_suspended',
    'currency_not_supported',
    'invalid_transition',
  ],
  channels: ['participant_suspended', 'participant_not_active', 'merchant_suspended', 'invalid_transition'],
  rollout: ['currency_not_supported'],
  notify: ['url_not_allowed'],
  ledger: ['limit_exceeded', 'currency_not_supported'],
  fees: ['currency_not_supported'],
  transfers: ['limit_exceeded'],
  checkout: [
    'checkout_already_paid',
    'reference_in_use',
    'invalid_transition',
    'currency_not_supported',
    'merchant_suspended',
  ],
  payments: [
    'limit_exceeded',
    'checkout_already_paid',
    'participant_suspended',
    'merchant_suspended',
    'currency_not_supported',
  ],
  placards: ['invalid_transition', 'currency_not_supported', 'merchant_suspended'],
  pos: [
    'payment_declined',
    'limit_exceeded',
    'charge_reversed',
    'invalid_transition',
    'currency_not_supported',
    'participant_not_active',
    'merchant_suspended',
  ],
  disputes: ['invalid_transition'],
};

const reads = new Set(['GET', 'HEAD']);

/** The codes `route` may answer, each once, in the order of their status. */
export function problemCodesOf(
  route: RouteFacts,
  registeredBy: (capability: string) => readonly string[],
  statusOf: (code: string) => number,
): string[] {
  const codes = new Set(transportCodes);
  const add = (list: readonly string[]) => {
    for (const code of list) codes.add(code);
  };
  if (!reads.has(route.method)) add(bodyCodes);
  if (route.auth.some((type) => type !== 'participant')) add(bearerCodes);
  if (route.auth.includes('participant')) add([...signatureCodes, 'forbidden']);
  if (route.idempotent) add(idempotencyCodes);
  if (route.path.includes('{')) codes.add('not_found');
  if (route.capability !== undefined && !reads.has(route.method)) {
    add(registeredBy(route.capability));
    add(capabilityRaises[route.capability] ?? []);
  }
  return [...codes].sort((a, b) => statusOf(a) - statusOf(b) || a.localeCompare(b));
}
