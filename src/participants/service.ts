import { createPublicKey } from 'node:crypto';
import {
  actorOf,
  type Caller,
  checkOutboundUrl,
  type FieldError,
  parseEd25519PublicJwk,
  recordIdempotentEffect,
} from '../http/index.ts';
import type { HubContext } from '../context.ts';
import { inTransaction, lockNamed, type ParticipantRow, type Tx } from '../db/index.ts';
import { isCurrencyAlpha } from '../money/index.ts';
import { type Result, newId, ok, refuse, invariant } from '../platform/index.ts';
import {
  type Participant,
  type ParticipantEvent,
  type ParticipantBridge,
  type ParticipantRole,
  appSwitchTokenPlaceholder,
  firstOverlap,
  overlapWithin,
  nextParticipantStatus,
  stampOf,
} from './model.ts';
import * as store from './store.ts';

export type NewParticipantInput = {
  name: string;
  roles: ParticipantRole[];
  currencies: string[];
  /** Required, but for a bridged wallet, whose callbacks go to its bridge by default. */
  callbackUrl?: string | undefined;
  publicKeys?: { kid: string; jwk: unknown }[] | undefined;
  appSwitchUrlTemplate?: string | undefined;
  paymentCodePrefixes?: string[] | undefined;
  netDebitCaps?: Record<string, number> | undefined;
  bridge?: ParticipantBridge | undefined;
};

export type ParticipantRefusal =
  | 'invalid_request'
  | 'url_not_allowed'
  | 'key_id_taken'
  | 'prefix_overlap'
  | 'invalid_transition'
  | 'not_found';

function checkNewParticipant(input: NewParticipantInput): FieldError[] {
  const errors: FieldError[] = [];
  input.currencies.forEach((currency, index) => {
    if (!isCurrencyAlpha(currency))
      errors.push({ pointer: `/currencies/${index}`, detail: `${currency} is not an ISO 4217 currency` });
  });
  if (new Set(input.currencies).size !== input.currencies.length)
    errors.push({ pointer: '/currencies', detail: 'lists a currency twice' });
  if (new Set(input.roles).size !== input.roles.length)
    errors.push({ pointer: '/roles', detail: 'lists a role twice' });
  const template = input.appSwitchUrlTemplate;
  if (template !== undefined && !template.includes(appSwitchTokenPlaceholder)) {
    errors.push({ pointer: '/appSwitchUrlTemplate', detail: `must contain ${appSwitchTokenPlaceholder}` });
  }
  for (const currency of Object.keys(input.netDebitCaps ?? {})) {
    if (!input.currencies.includes(currency))
      errors.push({ pointer: `/netDebitCaps/${currency}`, detail: 'is not one of the participant currencies' });
  }
  const prefixes = input.paymentCodePrefixes ?? [];
  const inner = overlapWithin(prefixes);
  if (inner) errors.push({ pointer: '/paymentCodePrefixes', detail: `${inner[0]} and ${inner[1]} overlap` });
  (input.publicKeys ?? []).forEach((key, index) => {
    const parsed = parseEd25519PublicJwk(key.jwk);
    if (!parsed.ok) errors.push({ pointer: `/publicKeys/${index}/jwk`, detail: parsed.detail });
  });
  if (input.bridge) errors.push(...checkBridge(input.bridge, input));
  else if (input.callbackUrl === undefined)
    errors.push({ pointer: '/callbackUrl', detail: 'is required (but for a bridged wallet)' });
  return errors;
}

/**
 * A bridged wallet only pays (the hub cannot ask it to acquire), through a
 * bridge the hub has, in the currencies that bridge takes, with RSA
 * platform keys it can verify answers with.
 */
function checkBridge(
  bridge: ParticipantBridge,
  { roles, currencies }: { roles: readonly ParticipantRole[]; currencies: readonly string[] },
): FieldError[] {
  const errors: FieldError[] = [];
  if (roles.length !== 1 || roles[0] !== 'issuer')
    errors.push({ pointer: '/roles', detail: 'a bridged wallet is an issuer only' });
  // WeChat Pay's domestic orders are in CNY only.
  if (bridge.kind === 'wechatpay_v3' && currencies.some((currency) => currency !== 'CNY'))
    errors.push({ pointer: '/currencies', detail: 'a WeChat Pay bridge takes CNY only' });
  if (bridge.kind !== 'wechatpay_v3')
    errors.push({ pointer: '/bridge/kind', detail: `the ${bridge.kind} bridge is not built yet` });
  bridge.platformKeys.forEach((key, index) => {
    if (!isRsaPublicKeyPem(key.publicKeyPem))
      errors.push({ pointer: `/bridge/platformKeys/${index}/publicKeyPem`, detail: 'is not an RSA public key (PEM)' });
  });
  if (new Set(bridge.platformKeys.map((key) => key.serial)).size !== bridge.platformKeys.length)
    errors.push({ pointer: '/bridge/platformKeys', detail: 'lists a serial twice' });
  return errors;
}

function isRsaPublicKeyPem(pem: string): boolean {
  try {
    return createPublicKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/**
 * Where the hub will send the participant's callbacks and authorisations: by
 * the rule webhook URLs follow (no loopback, private or link-local address,
 * in any spelling, unless allowPrivateUrls; cloud metadata never). A name that
 * does not resolve yet is let through: every call checks it again.
 */
function checkCallbackUrl(ctx: HubContext, url: string) {
  return checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls, allowUnresolved: true });
}

/**
 * A bridged wallet cannot hear the hub's callbacks (a refund to credit): its
 * bridge hears them for it, at `/bridges/{kind}/{id}/events`, and asks the
 * wallet's own API.
 */
function bridgeCallbackUrl(ctx: HubContext, id: string, bridge: ParticipantBridge | undefined): string {
  invariant(bridge !== undefined, `participant ${id} without a callback URL is bridged`);
  return `${ctx.config.publicUrl}/bridges/${bridge.kind}/${id}`;
}

export async function createParticipant(
  ctx: HubContext,
  caller: Caller,
  input: NewParticipantInput,
): Promise<Result<Participant, ParticipantRefusal>> {
  const errors = checkNewParticipant(input);
  if (errors.length > 0) return refuse('invalid_request', 'the participant has invalid fields', { errors });
  const at = ctx.clock.now();
  const id = newId('par', at, ctx.random);
  const callbackUrl = input.callbackUrl ?? bridgeCallbackUrl(ctx, id, input.bridge);
  for (const url of [callbackUrl, ...(input.bridge ? [input.bridge.baseUrl] : [])]) {
    const allowed = await checkCallbackUrl(ctx, url);
    if (!allowed.ok) return allowed;
  }
  const stamp = at.toISOString();
  return inTransaction(ctx.db, async (tx) => {
    await lockNamed(tx, 'payment_code_prefixes');
    const prefixes = input.paymentCodePrefixes ?? [];
    const overlap = firstOverlap(
      prefixes,
      (await store.allPrefixes(tx)).map((taken) => taken.prefix),
    );
    if (overlap)
      return refuse('prefix_overlap', `prefix ${overlap[0]} overlaps ${overlap[1]}, which another participant owns`);
    await store.insertParticipant(tx, {
      id,
      name: input.name,
      roles: input.roles,
      currencies: input.currencies,
      callbackUrl,
      appSwitchUrlTemplate: input.appSwitchUrlTemplate ?? null,
      bridge: input.bridge ?? null,
      status: 'pending_review',
      statusReason: null,
      createdAt: stamp,
      updatedAt: stamp,
      approvedAt: null,
      rejectedAt: null,
      suspendedAt: null,
    });
    for (const key of input.publicKeys ?? []) {
      const added = await store.insertKey(tx, id, {
        kid: key.kid,
        status: 'active',
        jwk: key.jwk as Record<string, unknown>,
        createdAt: stamp,
        revokedAt: null,
      });
      if (!added) throw new KeyIdTaken(key.kid);
    }
    await store.insertPrefixes(tx, id, prefixes);
    for (const [currency, cap] of Object.entries(input.netDebitCaps ?? {}))
      await store.upsertLimit(tx, id, currency, cap, 0, stamp);
    const created = await mustFind(tx, id);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'participant.created',
      objectType: 'participant',
      objectId: id,
      before: null,
      after: created,
    });
    await recordIdempotentEffect(tx, { kind: 'participant', id });
    return ok(created);
  }).catch((error: unknown) => {
    if (error instanceof KeyIdTaken) return refuse('key_id_taken', `key id ${error.kid} is already used on this hub`);
    throw error;
  });
}

/** Thrown inside a transaction to roll it back; turned into a refusal outside. */
class KeyIdTaken extends Error {
  constructor(readonly kid: string) {
    super(`key id ${kid} taken`);
  }
}

async function mustFind(tx: Tx, id: string): Promise<Participant> {
  const participant = await store.findParticipant(tx, id);
  invariant(participant !== undefined, `participant ${id} exists after it changed`);
  return participant;
}

export async function changeParticipantStatus(
  ctx: HubContext,
  caller: Caller,
  id: string,
  event: ParticipantEvent,
  reason: string | null,
): Promise<Result<Participant, ParticipantRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await store.findParticipantRow(tx, id, { lock: true });
    if (!row) return refuse('not_found', `participant ${id} was not found`);
    const before = await mustFind(tx, id);
    const to = nextParticipantStatus(before.status, event);
    if (!to) return refuse('invalid_transition', `a ${before.status} participant cannot ${event}`);
    await store.updateParticipantStatus(tx, id, {
      status: to,
      reason,
      at: ctx.clock.now().toISOString(),
      stamp: stampOf(event),
    });
    const after = await mustFind(tx, id);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: `participant.${event}`,
      objectType: 'participant',
      objectId: id,
      before,
      after,
    });
    return ok(after);
  });
}

export async function addParticipantKey(
  ctx: HubContext,
  caller: Caller,
  id: string,
  key: { kid: string; jwk: unknown },
): Promise<Result<Participant, ParticipantRefusal>> {
  const parsed = parseEd25519PublicJwk(key.jwk);
  if (!parsed.ok)
    return refuse('invalid_request', 'the key is not an Ed25519 public JWK', {
      errors: [{ pointer: '/jwk', detail: parsed.detail }],
    });
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findParticipant(tx, id);
    if (!before) return refuse('not_found', `participant ${id} was not found`);
    const stamp = ctx.clock.now().toISOString();
    const added = await store.insertKey(tx, id, {
      kid: key.kid,
      status: 'active',
      jwk: key.jwk as Record<string, unknown>,
      createdAt: stamp,
      revokedAt: null,
    });
    if (!added) return refuse('key_id_taken', `key id ${key.kid} is already used on this hub`);
    const after = await mustFind(tx, id);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'participant.key_added',
      objectType: 'participant',
      objectId: id,
      before,
      after,
    });
    await recordIdempotentEffect(tx, { kind: 'participant', id });
    return ok(after);
  });
}

export async function revokeParticipantKey(
  ctx: HubContext,
  caller: Caller,
  id: string,
  kid: string,
): Promise<Result<Participant, ParticipantRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findParticipant(tx, id);
    if (!before) return refuse('not_found', `participant ${id} was not found`);
    const revoked = await store.revokeKey(tx, id, kid, ctx.clock.now().toISOString());
    if (!revoked) return refuse('not_found', `participant ${id} has no active key ${kid}`);
    const after = await mustFind(tx, id);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'participant.key_revoked',
      objectType: 'participant',
      objectId: id,
      before,
      after,
    });
    return ok(after);
  });
}

export type ParticipantRateLimit = {
  participantId: string;
  /** The operator's limit for this participant; null: the hub's default. */
  requestsPerMinute: number | null;
  /** What is applied: its own limit, else the hub's default per caller. */
  effectiveRequestsPerMinute: number;
};

function rateLimitView(ctx: HubContext, row: ParticipantRow): ParticipantRateLimit {
  return {
    participantId: row.id,
    requestsPerMinute: row.rate_limit_per_minute,
    effectiveRequestsPerMinute: row.rate_limit_per_minute ?? ctx.config.rateLimit.perCallerPerMinute,
  };
}

export async function findParticipantRateLimit(ctx: HubContext, id: string): Promise<ParticipantRateLimit | undefined> {
  const row = await store.findParticipantRow(ctx.db.kysely, id);
  return row ? rateLimitView(ctx, row) : undefined;
}

/** The operator sets a participant's own rate limit (null: back to the default); audited. */
export async function setParticipantRateLimit(
  ctx: HubContext,
  caller: Caller,
  id: string,
  requestsPerMinute: number | null,
): Promise<Result<ParticipantRateLimit, 'not_found'>> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await store.findParticipantRow(tx, id, { lock: true });
    if (!row) return refuse('not_found', `participant ${id} was not found`);
    await store.updateRateLimit(tx, id, requestsPerMinute, ctx.clock.now().toISOString());
    const after = rateLimitView(ctx, { ...row, rate_limit_per_minute: requestsPerMinute });
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'participant.rate_limit_set',
      objectType: 'participant',
      objectId: id,
      before: rateLimitView(ctx, row),
      after,
    });
    return ok(after);
  });
}

/** A participant sees itself; the operator sees everyone; others see nothing. */
export function canSeeParticipant(caller: Caller, participantId: string): boolean {
  return caller.type === 'operator' || (caller.type === 'participant' && caller.id === participantId);
}

export { findParticipant, listParticipants, listActiveIssuers, findKeyRow, findParticipantRow } from './store.ts';
