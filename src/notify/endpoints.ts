import type { HubContext } from '../context.ts';
import { inTransaction, lockNamed, type Queryable, type Tx } from '../db/index.ts';
import { actorOf, type Caller, checkOutboundUrl, recordIdempotentEffect } from '../http/index.ts';
import { type Result, type Secret, invariant, newId, ok, openSecret, refuse, sealSecret } from '../platform/index.ts';
import { type WebhookEndpoint, endpointsPerMerchantMax, secretOverlapMs } from './model.ts';
import { newWebhookSecret } from './signing.ts';
import * as store from './store.ts';

/** Refusals of endpoint use cases, in the order they are checked. */
export type EndpointRefusal = 'not_found' | 'url_not_allowed' | 'endpoint_limit_reached';

export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: Secret };

export type NewEndpointInput = { url: string; events: string[]; enabled?: boolean | undefined };
export type EndpointPatch = { url?: string | undefined; events?: string[] | undefined; enabled?: boolean | undefined };

function merchantIdOf(caller: Caller): string {
  invariant(caller.type === 'merchant', `only a merchant reaches its webhook endpoints (not a ${caller.type})`);
  return caller.id;
}

function checkUrl(ctx: HubContext, url: string) {
  return checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls });
}

function uniqueEvents(events: readonly string[]): string[] {
  return [...new Set(events)];
}

export async function createEndpoint(
  ctx: HubContext,
  caller: Caller,
  input: NewEndpointInput,
): Promise<Result<WebhookEndpointWithSecret, EndpointRefusal>> {
  const merchantId = merchantIdOf(caller);
  const allowed = await checkUrl(ctx, input.url);
  if (!allowed.ok) return allowed;
  const secret = newWebhookSecret(ctx.random);
  return inTransaction(ctx.db, async (tx) => {
    await lockNamed(tx, `webhook_endpoints:${merchantId}`);
    if ((await store.countEndpoints(tx, merchantId)) >= endpointsPerMerchantMax) {
      return refuse(
        'endpoint_limit_reached',
        `a merchant may have at most ${endpointsPerMerchantMax} webhook endpoints`,
      );
    }
    const at = ctx.clock.now();
    const stamp = at.toISOString();
    const enabled = input.enabled ?? true;
    const endpoint: WebhookEndpoint = {
      id: newId('whe', at, ctx.random),
      merchantId,
      url: input.url,
      events: uniqueEvents(input.events),
      enabled,
      status: enabled ? 'enabled' : 'disabled',
      disabledReason: enabled ? null : 'requested',
      createdAt: stamp,
      updatedAt: stamp,
      disabledAt: enabled ? null : stamp,
      secretRotatedAt: null,
      previousSecretExpiresAt: null,
    };
    await store.insertEndpoint(tx, endpoint, sealSecret(secret.reveal(), ctx.config.masterKey, ctx.random));
    const count = await store.countEndpoints(tx, merchantId);
    invariant(
      count <= endpointsPerMerchantMax,
      `merchant ${merchantId} has at most ${endpointsPerMerchantMax} webhook endpoints (it has ${count})`,
    );
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action: 'webhook_endpoint.created',
      objectType: 'webhook_endpoint',
      objectId: endpoint.id,
      before: null,
      after: endpoint,
    });
    await recordIdempotentEffect(tx, { kind: 'webhook_endpoint', id: endpoint.id, secret });
    return ok({ ...endpoint, secret });
  });
}

export async function findEndpointOf(db: Queryable, caller: Caller, id: string): Promise<WebhookEndpoint | undefined> {
  const endpoint = await store.findEndpoint(db, id);
  return endpoint && endpoint.merchantId === merchantIdOf(caller) ? store.publicEndpoint(endpoint) : undefined;
}

export async function listEndpointsOf(
  db: Queryable,
  caller: Caller,
  page: { limit: number; after?: string | undefined },
): Promise<WebhookEndpoint[]> {
  const rows = await store.listEndpoints(db, { merchantId: merchantIdOf(caller), ...page });
  return rows.map(store.publicEndpoint);
}

/** Loads the caller's endpoint locked, applies a change, audits it; one transaction. */
async function changeEndpoint(
  ctx: HubContext,
  caller: Caller,
  id: string,
  action: string,
  change: (before: store.StoredEndpoint, at: Date) => store.EndpointChange,
  shownOnce?: Secret,
): Promise<Result<WebhookEndpoint, EndpointRefusal>> {
  const merchantId = merchantIdOf(caller);
  return inTransaction(ctx.db, async (tx) => {
    const before = await store.findEndpoint(tx, id, { lock: true });
    if (!before || before.merchantId !== merchantId) return refuse('not_found', `webhook endpoint ${id} was not found`);
    await store.updateEndpoint(tx, id, change(before, ctx.clock.now()));
    const after = await mustFind(tx, id);
    invariant(after.merchantId === before.merchantId, `webhook endpoint ${id} stays with merchant ${merchantId}`);
    await ctx.audit(tx, {
      actor: actorOf(caller),
      action,
      objectType: 'webhook_endpoint',
      objectId: id,
      before: store.publicEndpoint(before),
      after: store.publicEndpoint(after),
    });
    if (shownOnce) await recordIdempotentEffect(tx, { kind: 'webhook_endpoint', id, secret: shownOnce });
    return ok(store.publicEndpoint(after));
  });
}

async function mustFind(tx: Tx, id: string): Promise<store.StoredEndpoint> {
  const endpoint = await store.findEndpoint(tx, id, { withDeleted: true });
  invariant(endpoint !== undefined, `webhook endpoint ${id} exists after it changed`);
  return endpoint;
}

/** Enabling again clears why it was disabled; a new URL is checked like a first one. */
export async function updateEndpoint(
  ctx: HubContext,
  caller: Caller,
  id: string,
  patch: EndpointPatch,
): Promise<Result<WebhookEndpoint, EndpointRefusal>> {
  if (patch.url !== undefined) {
    const allowed = await checkUrl(ctx, patch.url);
    if (!allowed.ok) return allowed;
  }
  return changeEndpoint(ctx, caller, id, 'webhook_endpoint.updated', (before, at) => {
    const stamp = at.toISOString();
    const toggled = patch.enabled !== undefined && patch.enabled !== before.enabled;
    return {
      updatedAt: stamp,
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: uniqueEvents(patch.events) } : {}),
      ...(toggled
        ? {
            enabled: patch.enabled,
            disabledAt: patch.enabled ? null : stamp,
            disabledReason: patch.enabled ? null : ('requested' as const),
          }
        : {}),
    };
  });
}

/** Deleted endpoints stay in the table, so their deliveries still say where they went. */
export async function deleteEndpoint(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<WebhookEndpoint, EndpointRefusal>> {
  return changeEndpoint(ctx, caller, id, 'webhook_endpoint.deleted', (_before, at) => ({
    updatedAt: at.toISOString(),
    deletedAt: at.toISOString(),
  }));
}

/**
 * A new secret signs from now on; the one it replaces keeps signing for
 * `secretOverlapMs`, so receivers can switch without losing a message. A
 * second rotation within the overlap drops the oldest secret.
 */
export async function rotateEndpointSecret(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<WebhookEndpointWithSecret, EndpointRefusal>> {
  const secret = newWebhookSecret(ctx.random);
  const rotated = await changeEndpoint(
    ctx,
    caller,
    id,
    'webhook_endpoint.secret_rotated',
    (before, at) => ({
      updatedAt: at.toISOString(),
      secretRotatedAt: at.toISOString(),
      sealedSecret: sealSecret(secret.reveal(), ctx.config.masterKey, ctx.random),
      sealedPreviousSecret: before.sealedSecret,
      previousSecretExpiresAt: new Date(at.getTime() + secretOverlapMs).toISOString(),
    }),
    secret,
  );
  return rotated.ok ? ok({ ...rotated.value, secret }) : rotated;
}

/** The secrets that sign a webhook sent at `at`: the current one, and the previous one during the overlap. */
export function signingSecretsOf(ctx: HubContext, endpoint: store.StoredEndpoint, at: Date): Secret[] {
  const secrets = [openSecret(endpoint.sealedSecret, ctx.config.masterKey)];
  const expiresAt = endpoint.previousSecretExpiresAt;
  if (endpoint.sealedPreviousSecret !== null && expiresAt !== null && at.getTime() < new Date(expiresAt).getTime()) {
    secrets.push(openSecret(endpoint.sealedPreviousSecret, ctx.config.masterKey));
  }
  return secrets;
}
