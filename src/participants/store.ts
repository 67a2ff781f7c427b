import {
  type Queryable,
  type Tx,
  cachedRead,
  forUpdate,
  noteChange,
  fromJson,
  toJson,
  type ParticipantKeyRow,
  type ParticipantRow,
} from '../db/index.ts';
import type {
  BridgeKind,
  KeyStatus,
  Participant,
  ParticipantBridge,
  ParticipantKey,
  ParticipantRole,
  ParticipantStatus,
} from './model.ts';

/** A participant is cached as its row and as its whole view (keys, prefixes, caps): a change drops both. */
async function noteParticipantChange(tx: Tx, id: string): Promise<void> {
  await noteChange(tx, 'participant', id);
  await noteChange(tx, 'participant_row', id);
}

export type NewParticipant = Omit<Participant, 'publicKeys' | 'paymentCodePrefixes' | 'netDebitCaps'>;

export async function insertParticipant(tx: Tx, participant: NewParticipant): Promise<void> {
  await tx
    .insertInto('participants')
    .values({
      id: participant.id,
      name: participant.name,
      roles: toJson(participant.roles),
      currencies: toJson(participant.currencies),
      callback_url: participant.callbackUrl,
      app_switch_url_template: participant.appSwitchUrlTemplate,
      status: participant.status,
      status_reason: participant.statusReason,
      created_at: participant.createdAt,
      updated_at: participant.updatedAt,
      approved_at: participant.approvedAt,
      rejected_at: participant.rejectedAt,
      suspended_at: participant.suspendedAt,
      bridge_kind: participant.bridge?.kind ?? null,
      bridge_base_url: participant.bridge?.baseUrl ?? null,
      bridge_platform_keys: participant.bridge ? toJson(participant.bridge.platformKeys) : null,
    })
    .execute();
}

export async function insertKey(tx: Tx, participantId: string, key: ParticipantKey): Promise<boolean> {
  const result = await tx
    .insertInto('participant_keys')
    .values({
      kid: key.kid,
      participant_id: participantId,
      jwk: toJson(key.jwk),
      status: key.status,
      created_at: key.createdAt,
      revoked_at: null,
    })
    .onConflict((conflict) => conflict.column('kid').doNothing())
    .executeTakeFirst();
  await noteParticipantChange(tx, participantId);
  await noteChange(tx, 'participant_key', key.kid);
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function insertPrefixes(tx: Tx, participantId: string, prefixes: readonly string[]): Promise<void> {
  if (prefixes.length === 0) return;
  await tx
    .insertInto('payment_code_prefixes')
    .values(prefixes.map((prefix) => ({ prefix, participant_id: participantId })))
    .execute();
  await noteParticipantChange(tx, participantId);
}

export async function allPrefixes(tx: Queryable): Promise<{ prefix: string; participantId: string }[]> {
  const rows = await tx.selectFrom('payment_code_prefixes').selectAll().execute();
  return rows.map((row) => ({ prefix: row.prefix, participantId: row.participant_id }));
}

export async function upsertLimit(
  tx: Tx,
  participantId: string,
  currency: string,
  netDebitCap: number,
  prefunding: number,
  at: string,
): Promise<void> {
  await tx
    .insertInto('participant_limits')
    .values({ participant_id: participantId, currency, net_debit_cap: netDebitCap, prefunding, updated_at: at })
    .onConflict((conflict) =>
      conflict
        .columns(['participant_id', 'currency'])
        .doUpdateSet({ net_debit_cap: netDebitCap, prefunding, updated_at: at }),
    )
    .execute();
  await noteParticipantChange(tx, participantId);
}

export async function updateRateLimit(tx: Tx, id: string, requestsPerMinute: number | null, at: string): Promise<void> {
  await tx
    .updateTable('participants')
    .set({ rate_limit_per_minute: requestsPerMinute, updated_at: at })
    .where('id', '=', id)
    .execute();
  await noteParticipantChange(tx, id);
}

export async function findParticipantRow(
  db: Queryable,
  id: string,
  { lock = false }: { lock?: boolean } = {},
): Promise<ParticipantRow | undefined> {
  const query = db.selectFrom('participants').selectAll().where('id', '=', id);
  if (lock) return forUpdate(db, query).executeTakeFirst();
  return cachedRead(db, 'participant_row', id, () => query.executeTakeFirst());
}

/** Cached in a served hub (db's read-cache.ts): every store write above notes its change. */
export async function findParticipant(db: Queryable, id: string): Promise<Participant | undefined> {
  return cachedRead(db, 'participant', id, async () => {
    const row = await db.selectFrom('participants').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await hydrate(db, [row]))[0] : undefined;
  });
}

export async function listParticipants(
  db: Queryable,
  options: { limit: number; after?: string | undefined; status?: string | undefined },
): Promise<Participant[]> {
  let query = db
    .selectFrom('participants')
    .selectAll()
    .orderBy('id')
    .limit(options.limit + 1);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  return hydrate(db, await query.execute());
}

export async function listActiveIssuers(db: Queryable): Promise<Participant[]> {
  const rows = await db
    .selectFrom('participants')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('name')
    .orderBy('id')
    .execute();
  return (await hydrate(db, rows)).filter((participant) => participant.roles.includes('issuer'));
}

/** Adds keys, prefixes and caps to participant rows in three queries, whatever the page size. */
async function hydrate(db: Queryable, rows: ParticipantRow[]): Promise<Participant[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [keys, prefixes, limits] = await Promise.all([
    db
      .selectFrom('participant_keys')
      .selectAll()
      .where('participant_id', 'in', ids)
      .orderBy('created_at')
      .orderBy('kid')
      .execute(),
    db.selectFrom('payment_code_prefixes').selectAll().where('participant_id', 'in', ids).orderBy('prefix').execute(),
    db.selectFrom('participant_limits').selectAll().where('participant_id', 'in', ids).orderBy('currency').execute(),
  ]);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    roles: fromJson<ParticipantRole[]>(row.roles),
    currencies: fromJson<string[]>(row.currencies),
    callbackUrl: row.callback_url,
    appSwitchUrlTemplate: row.app_switch_url_template,
    paymentCodePrefixes: prefixes.filter((prefix) => prefix.participant_id === row.id).map((prefix) => prefix.prefix),
    netDebitCaps: Object.fromEntries(
      limits.filter((limit) => limit.participant_id === row.id).map((limit) => [limit.currency, limit.net_debit_cap]),
    ),
    publicKeys: keys.filter((key) => key.participant_id === row.id).map(toKey),
    bridge: bridgeOf(row),
    status: row.status as ParticipantStatus,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    approvedAt: row.approved_at,
    rejectedAt: row.rejected_at,
    suspendedAt: row.suspended_at,
  }));
}

function bridgeOf(row: ParticipantRow): ParticipantBridge | null {
  if (row.bridge_kind === null || row.bridge_base_url === null || row.bridge_platform_keys === null) return null;
  return {
    kind: row.bridge_kind as BridgeKind,
    baseUrl: row.bridge_base_url,
    platformKeys: fromJson<ParticipantBridge['platformKeys']>(row.bridge_platform_keys),
  };
}

function toKey(row: ParticipantKeyRow): ParticipantKey {
  return {
    kid: row.kid,
    status: row.status as KeyStatus,
    jwk: fromJson(row.jwk),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export async function updateParticipantStatus(
  tx: Tx,
  id: string,
  change: {
    status: ParticipantStatus;
    reason: string | null;
    at: string;
    stamp: 'approved_at' | 'rejected_at' | 'suspended_at' | undefined;
  },
): Promise<void> {
  await tx
    .updateTable('participants')
    .set({
      status: change.status,
      status_reason: change.reason,
      updated_at: change.at,
      ...(change.stamp ? { [change.stamp]: change.at } : {}),
    })
    .where('id', '=', id)
    .execute();
  await noteParticipantChange(tx, id);
}

export async function findKeyRow(db: Queryable, kid: string): Promise<ParticipantKeyRow | undefined> {
  return cachedRead(db, 'participant_key', kid, () =>
    db.selectFrom('participant_keys').selectAll().where('kid', '=', kid).executeTakeFirst(),
  );
}

export async function revokeKey(tx: Tx, participantId: string, kid: string, at: string): Promise<boolean> {
  const result = await tx
    .updateTable('participant_keys')
    .set({ status: 'revoked', revoked_at: at })
    .where('kid', '=', kid)
    .where('participant_id', '=', participantId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  await noteParticipantChange(tx, participantId);
  await noteChange(tx, 'participant_key', kid);
  return result.numUpdatedRows === 1n;
}
