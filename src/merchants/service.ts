import type { HubContext } from '../context.ts';
import { inTransaction, type Tx } from '../db/index.ts';
import { actorOf, type Caller, recordIdempotentEffect } from '../http/index.ts';
import { openOwnAcquirerChannel } from '../channels/index.ts';
import { type Participant, isAcquirer, isIssuer, findParticipant } from '../participants/index.ts';
import { type Result, Secret, newId, newToken, ok, refuse, sha256Hex, invariant } from '../platform/index.ts';
import { emvNamesOf } from '../qr/index.ts';
import {
  type Merchant,
  type MerchantEmvNames,
  type MerchantEvent,
  merchantKeyPrefix,
  nextMerchantStatus,
} from './model.ts';
import * as store from './store.ts';

export type NewMerchantInput = {
  name: string;
  mcc: string;
  city: string;
  country: string;
  currency: string;
  acquirerId?: string | undefined;
  nameLatin?: string | undefined;
  cityLatin?: string | undefined;
  language?: string | undefined;
};

export type MerchantDetailsPatch = {
  name?: string | undefined;
  city?: string | undefined;
  mcc?: string | undefined;
  nameLatin?: string | null | undefined;
  cityLatin?: string | null | undefined;
  language?: string | null | undefined;
};

/** Names and cities are kept in Unicode's composed form (NFC), so one name is spelled one way. */
const composed = (text: string) => text.normalize('NFC');
export type MerchantRefusal =
  | 'invalid_request'
  | 'not_found'
  | 'role_missing'
  | 'participant_not_active'
  | 'participant_suspended'
  | 'currency_not_supported'
  | 'invalid_transition';

export type MerchantWithKey = Merchant & { secretKey: Secret };

const merchantKeyBytes = 32;

/** The operator names the acquirer; an acquirer creates merchants for itself only. */
function acquirerOf(caller: Caller, input: NewMerchantInput): Result<string, MerchantRefusal> {
  if (caller.type === 'participant') {
    if (input.acquirerId !== undefined && input.acquirerId !== caller.id) {
      return refuse('invalid_request', 'an acquirer creates merchants for itself', {
        errors: [{ pointer: '/acquirerId', detail: 'must be the caller or absent' }],
      });
    }
    return ok(caller.id);
  }
  if (input.acquirerId === undefined)
    return refuse('invalid_request', 'the operator must name the acquirer', {
      errors: [{ pointer: '/acquirerId', detail: 'is required' }],
    });
  return ok(input.acquirerId);
}

async function checkAcquirer(
  tx: Tx,
  acquirerId: string,
  currency: string,
): Promise<Result<Participant, MerchantRefusal>> {
  const acquirer = await findParticipant(tx, acquirerId);
  if (!acquirer)
    return refuse('invalid_request', `participant ${acquirerId} does not exist`, {
      errors: [{ pointer: '/acquirerId', detail: 'is not a participant' }],
    });
  if (!isAcquirer(acquirer)) return refuse('role_missing', `participant ${acquirerId} is not an acquirer`);
  if (acquirer.status === 'suspended') return refuse('participant_suspended', `participant ${acquirerId} is suspended`);
  if (acquirer.status !== 'active')
    return refuse('participant_not_active', `participant ${acquirerId} is ${acquirer.status}`);
  if (!acquirer.currencies.includes(currency))
    return refuse('currency_not_supported', `acquirer ${acquirerId} does not list ${currency}`);
  return ok(acquirer);
}

function newMerchantKey(ctx: HubContext): Secret {
  return new Secret(newToken(merchantKeyPrefix, ctx.random, merchantKeyBytes));
}

export async function createMerchant(
  ctx: HubContext,
  caller: Caller,
  input: NewMerchantInput,
): Promise<Result<MerchantWithKey, MerchantRefusal>> {
  const acquirerId = acquirerOf(caller, input);
  if (!acquirerId.ok) return acquirerId;
  return inTransaction(ctx.db, async (tx) => {
    const acquirer = await checkAcquirer(tx, acquirerId.value, input.currency);
    if (!acquirer.ok) return acquirer;
    const at = ctx.clock.now();
    const stamp = at.toISOString();
    const given: MerchantEmvNames = {
      nameLatin: input.nameLatin ?? null,
      cityLatin: input.cityLatin ?? null,
      language: input.language ?? null,
    };
    const name = composed(input.name);
    const city = composed(input.city);
    const merchant: Merchant = {
      id: newId('mer', at, ctx.random),
      acquirerId: acquirerId.value,
      name,
      mcc: input.mcc,
      city,
      country: input.country,
      currency: input.currency,
      status: 'active',
      createdAt: stamp,
      updatedAt: stamp,
      suspendedAt: null,
      keyRotatedAt: null,
      ...emvNamesOf({ name, city, country: input.country, ...given }),
    };
    const secretKey = newMerchantKey(ctx);
    await store.insertMerchant(tx, merchant, given, sha256Hex(secretKey.reveal()));
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'merchant.created',
      objectType: 'merchant',
      objectId: merchant.id,
      before: null,
      after: merchant,
    });
    // An acquirer that is also a wallet serves its own merchants without review.
    if (isIssuer(acquirer.value))
      await openOwnAcquirerChannel(
        ctx,
        tx,
        { merchantId: merchant.id, acquirerId: merchant.acquirerId },
        actorOf(caller),
      );
    await recordIdempotentEffect(tx, { kind: 'merchant', id: merchant.id, secret: secretKey });
    return ok({ ...merchant, secretKey });
  });
}

/** The operator sees every merchant; an acquirer its own; anyone else none. */
export function canManageMerchant(caller: Caller, merchant: Merchant): boolean {
  return caller.type === 'operator' || (caller.type === 'participant' && caller.id === merchant.acquirerId);
}

async function changeMerchant(
  ctx: HubContext,
  caller: Caller,
  id: string,
  action: string,
  change: (before: Merchant, stamp: string) => Result<Parameters<typeof store.updateMerchant>[2], MerchantRefusal>,
  shownOnce?: Secret,
): Promise<Result<Merchant, MerchantRefusal>> {
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findMerchant(tx, id, { lock: true });
    if (!before || !canManageMerchant(caller, before)) return refuse('not_found', `merchant ${id} was not found`);
    const update = change(before, ctx.clock.now().toISOString());
    if (!update.ok) return update;
    await store.updateMerchant(tx, id, update.value);
    const after = await store.findMerchant(tx, id);
    invariant(after !== undefined, `merchant ${id} exists after it changed`);
    await ctx.audit(tx, { actor: actorOf(caller), action, objectType: 'merchant', objectId: id, before, after });
    if (shownOnce) await recordIdempotentEffect(tx, { kind: 'merchant', id, secret: shownOnce });
    return ok(after);
  });
}

/**
 * A new name or city without its Latin form drops the Latin form given for
 * the old one, so codes never carry a stale name; null clears a given one.
 */
export function updateMerchantDetails(ctx: HubContext, caller: Caller, id: string, patch: MerchantDetailsPatch) {
  return changeMerchant(ctx, caller, id, 'merchant.updated', (_before, stamp) =>
    ok({
      updatedAt: stamp,
      ...(patch.mcc !== undefined ? { mcc: patch.mcc } : {}),
      ...(patch.name !== undefined ? { name: composed(patch.name), nameLatin: patch.nameLatin ?? null } : {}),
      ...(patch.city !== undefined ? { city: composed(patch.city), cityLatin: patch.cityLatin ?? null } : {}),
      ...(patch.name === undefined && patch.nameLatin !== undefined ? { nameLatin: patch.nameLatin } : {}),
      ...(patch.city === undefined && patch.cityLatin !== undefined ? { cityLatin: patch.cityLatin } : {}),
      ...(patch.language !== undefined ? { language: patch.language } : {}),
    }),
  );
}

export function changeMerchantStatus(ctx: HubContext, caller: Caller, id: string, event: MerchantEvent) {
  return changeMerchant(ctx, caller, id, `merchant.${event}`, (before, stamp) => {
    const to = nextMerchantStatus(before.status, event);
    if (!to) return refuse('invalid_transition', `a ${before.status} merchant cannot ${event}`);
    return ok({ status: to, updatedAt: stamp, ...(event === 'suspend' ? { suspendedAt: stamp } : {}) });
  });
}

export async function rotateMerchantKey(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<MerchantWithKey, MerchantRefusal>> {
  const secretKey = newMerchantKey(ctx);
  const rotated = await changeMerchant(
    ctx,
    caller,
    id,
    'merchant.key_rotated',
    (_before, stamp) => ok({ updatedAt: stamp, keyRotatedAt: stamp, secretKeyHash: sha256Hex(secretKey.reveal()) }),
    secretKey,
  );
  return rotated.ok ? ok({ ...rotated.value, secretKey }) : rotated;
}

/** Merchant keys are stored hashed: a lookup by hash finds the caller without keeping the key. */
export async function merchantCallerOf(ctx: HubContext, token: string): Promise<Caller | undefined> {
  if (!token.startsWith(merchantKeyPrefix)) return undefined;
  const merchant = await store.findMerchantByKeyHash(ctx.db.kysely, sha256Hex(token));
  return merchant ? { type: 'merchant', id: merchant.id, acquirerId: merchant.acquirerId } : undefined;
}

export { findMerchant, listMerchants } from './store.ts';
