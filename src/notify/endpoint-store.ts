import { type Queryable, type Tx, forUpdate, fromJson, toJson, type WebhookEndpointRow } from '../db/index.ts';
import { invariant } from '../platform/index.ts';
import type { EndpointDisabledReason, WebhookEndpoint } from './model.ts';

// Merchants' webhook endpoints: their rows, sealed secrets and changes.

export type StoredEndpoint = WebhookEndpoint & {
  sealedSecret: string;
  sealedPreviousSecret: string | null;
  deletedAt: string | null;
};

function toEndpoint(row: WebhookEndpointRow): StoredEndpoint {
  const enabled = row.enabled === 1;
  return {
    id: row.id,
    merchantId: row.merchant_id,
    url: row.url,
    events: fromJson<string[]>(row.events),
    enabled,
    status: enabled ? 'enabled' : 'disabled',
    disabledReason: row.disabled_reason as EndpointDisabledReason | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    secretRotatedAt: row.secret_rotated_at,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    sealedSecret: row.sealed_secret,
    sealedPreviousSecret: row.sealed_previous_secret,
    deletedAt: row.deleted_at,
  };
}

/** The public shape: no sealed secrets, no deletion mark. */
export function publicEndpoint(endpoint: StoredEndpoint): WebhookEndpoint {
  const { sealedSecret: _secret, sealedPreviousSecret: _previous, deletedAt: _deleted, ...visible } = endpoint;
  return visible;
}

export async function insertEndpoint(tx: Tx, endpoint: WebhookEndpoint, sealedSecret: string): Promise<void> {
  invariant(
    endpoint.enabled === (endpoint.disabledAt === null),
    `new webhook endpoint ${endpoint.id} has a disabled time exactly when it is disabled`,
  );
  await tx
    .insertInto('webhook_endpoints')
    .values({
      id: endpoint.id,
      merchant_id: endpoint.merchantId,
      url: endpoint.url,
      events: toJson(endpoint.events),
      enabled: endpoint.enabled ? 1 : 0,
      sealed_secret: sealedSecret,
      sealed_previous_secret: null,
      previous_secret_expires_at: null,
      created_at: endpoint.createdAt,
      updated_at: endpoint.updatedAt,
      disabled_at: endpoint.disabledAt,
      disabled_reason: endpoint.disabledReason,
      secret_rotated_at: null,
      deleted_at: null,
    })
    .execute();
}

/** A deleted endpoint is found only when asked for, to explain its deliveries. */
export async function findEndpoint(
  db: Queryable,
  id: string,
  options: { lock?: boolean; withDeleted?: boolean } = {},
): Promise<StoredEndpoint | undefined> {
  let query = db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id);
  if (!options.withDeleted) query = query.where('deleted_at', 'is', null);
  const row = await (options.lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? toEndpoint(row) : undefined;
}

export async function listEndpoints(
  db: Queryable,
  filter: { merchantId: string; limit: number; after?: string | undefined },
): Promise<StoredEndpoint[]> {
  let query = db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('merchant_id', '=', filter.merchantId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.after !== undefined) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(toEndpoint);
}

export async function countEndpoints(tx: Tx, merchantId: string): Promise<number> {
  const row = await tx
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('merchant_id', '=', merchantId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The merchant's endpoints that should hear a new event now. */
export async function enabledEndpointsOf(tx: Tx, merchantId: string): Promise<StoredEndpoint[]> {
  const rows = await tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toEndpoint);
}

export type EndpointChange = {
  updatedAt: string;
  url?: string;
  events?: string[];
  enabled?: boolean;
  disabledAt?: string | null;
  disabledReason?: EndpointDisabledReason | null;
  sealedSecret?: string;
  sealedPreviousSecret?: string | null;
  previousSecretExpiresAt?: string | null;
  secretRotatedAt?: string;
  deletedAt?: string;
};

/** Changes a webhook endpoint the caller has locked. */
export async function updateEndpoint(tx: Tx, id: string, change: EndpointChange): Promise<void> {
  invariant(
    change.enabled === undefined || change.enabled === (change.disabledAt === null),
    `webhook endpoint ${id} has a disabled time exactly when it is disabled`,
  );
  const result = await tx
    .updateTable('webhook_endpoints')
    .set({
      updated_at: change.updatedAt,
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.events !== undefined ? { events: toJson(change.events) } : {}),
      ...(change.enabled !== undefined ? { enabled: change.enabled ? 1 : 0 } : {}),
      ...(change.disabledAt !== undefined ? { disabled_at: change.disabledAt } : {}),
      ...(change.disabledReason !== undefined ? { disabled_reason: change.disabledReason } : {}),
      ...(change.sealedSecret !== undefined ? { sealed_secret: change.sealedSecret } : {}),
      ...(change.sealedPreviousSecret !== undefined ? { sealed_previous_secret: change.sealedPreviousSecret } : {}),
      ...(change.previousSecretExpiresAt !== undefined
        ? { previous_secret_expires_at: change.previousSecretExpiresAt }
        : {}),
      ...(change.secretRotatedAt !== undefined ? { secret_rotated_at: change.secretRotatedAt } : {}),
      ...(change.deletedAt !== undefined ? { deleted_at: change.deletedAt } : {}),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  invariant(result.numUpdatedRows === 1n, `locked webhook endpoint ${id} was updated (${result.numUpdatedRows} rows)`);
}
