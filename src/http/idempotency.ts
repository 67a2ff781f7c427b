import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Database, Queryable, Tx } from '../db/index.ts';
import type { Caller } from './caller.ts';
import { type Clock, type Random, type Secret, invariant, openSecret, sealSecret } from '../platform/index.ts';
import type { IdempotentEffect } from './idempotency-replay.ts';
import { Problem } from './problems.ts';

const keyCharsMax = 255;
/** How long a key is kept: docs/concepts.md says at least 24 hours. */
export const idempotencyRetentionMs = 48 * 60 * 60 * 1000;
const designRetentionMsMin = 24 * 60 * 60 * 1000;
invariant(
  idempotencyRetentionMs >= designRetentionMsMin,
  `idempotency keys are kept at least ${designRetentionMsMin} ms, as docs/concepts.md says (not ${idempotencyRetentionMs})`,
);
/**
 * A request that crashed its process leaves its key locked; after this another may take it over.
 * Anything that holds a request open (a till's authorisation deadline) must stay below it.
 */
export const idempotencyLockMs = 60 * 1000;
/** How long a retry that meets its first request still running waits for that request's answer. */
export const idempotencyWaitMs = 5 * 1000;
const waitPollMs = 20;
invariant(idempotencyWaitMs < idempotencyLockMs, 'a retry waits less than a crashed request keeps its key locked');
const replayedHeader = 'idempotent-replayed';
const serverErrorStatusMin = 500;

export type { IdempotentEffect, IdempotentReplay, ReplayedAnswer } from './idempotency-replay.ts';
export { replayAs, replayShowingOnce } from './idempotency-replay.ts';

type Claim = { scope: string; key: string; owner: string };
type RunningClaim = Claim & { seal: (secret: Secret) => string };
type KeyRow = {
  request_hash: string;
  status: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  locked_until: string;
  owner: string | null;
  effect_kind: string | null;
  effect_id: string | null;
  effect_secret: string | null;
};

const running = new AsyncLocalStorage<RunningClaim>();

/**
 * Called by a use case inside the transaction that makes its effect: the
 * key is marked `committed` with what was made, so the effect and the
 * record of it commit together or not at all. A use case run outside an
 * idempotent request (a command, a worker) records nothing. A request whose
 * key was taken over after its lock ran out may not commit: its transaction
 * is rolled back and the one that took over decides.
 */
export async function recordIdempotentEffect(tx: Tx, effect: IdempotentEffect): Promise<void> {
  const claim = running.getStore();
  if (!claim) return;
  const updated = await tx
    .updateTable('idempotency_keys')
    .set({
      status: 'committed',
      effect_kind: effect.kind,
      effect_id: effect.id,
      effect_secret: effect.secret ? claim.seal(effect.secret) : null,
    })
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('owner', '=', claim.owner)
    .where('status', 'in', ['in_progress', 'committed'])
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) {
    throw new Problem('idempotency_request_in_progress', 'another request took over this Idempotency-Key; retry');
  }
}

/**
 * Runs use cases whose effects are not the request's one effect (a batch's
 * items, each with its own reference): they record nothing on the key, and
 * the request records its own effect afterwards.
 */
export function outsideIdempotentEffect<T>(run: () => T): T {
  return running.exit(run);
}

function requestHash(request: FastifyRequest): string {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  return createHash('sha256')
    .update(`${request.method}\n${query}\n`)
    .update(request.rawBody ?? Buffer.alloc(0))
    .digest('hex');
}

/**
 * Keys are scoped to the calling party, the route's pattern and its
 * parameters: never the spelling of the URL, which a trailing slash or
 * percent-encoding changes without changing the request.
 */
function scopeOf(request: FastifyRequest): string {
  const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  return scopeText(request.caller, request.method, route, (request.params ?? {}) as Record<string, string>);
}

function scopeText(caller: Caller | undefined, method: string, route: string, params: Record<string, string>) {
  const party = caller ? `${caller.type}:${caller.id}` : 'public';
  const query = Object.entries(params)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `${party} ${method} ${route}?${query}`;
}

/**
 * What the caller's request with this key to a route made, once it
 * committed: how a caller settles an answer it never got without sending
 * the request again (kept as long as the key, `idempotencyRetentionMs`).
 */
export async function findIdempotentEffect(
  db: Queryable,
  sent: { caller: Caller; method: string; route: string; params?: Record<string, string> },
  key: string,
): Promise<{ kind: string; id: string } | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['effect_kind', 'effect_id'])
    .where('scope', '=', scopeText(sent.caller, sent.method, sent.route, sent.params ?? {}))
    .where('key', '=', key)
    .where('status', 'in', ['committed', 'done'])
    .executeTakeFirst();
  return row?.effect_kind && row.effect_id ? { kind: row.effect_kind, id: row.effect_id } : undefined;
}

function keyOf(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw new Problem(
      'idempotency_key_missing',
      'this request creates or moves something: send an Idempotency-Key header',
    );
  }
  if (key.length > keyCharsMax) {
    throw new Problem('invalid_request', `Idempotency-Key may have at most ${keyCharsMax} characters`, {
      errors: [{ pointer: '/headers/idempotency-key', detail: 'too long' }],
    });
  }
  return key;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** What the mechanism needs of the hub: the keys' table, time, and the master key that seals answers. */
type Keys = { db: Database['kysely']; clock: Clock; masterKey: Secret; random: Random };

const lockedUntilFrom = (now: Date) => new Date(now.getTime() + idempotencyLockMs).toISOString();

function updateKey(keys: Keys, claim: Claim) {
  return keys.db.updateTable('idempotency_keys').where('scope', '=', claim.scope).where('key', '=', claim.key);
}

async function readKey(keys: Keys, claim: Claim): Promise<KeyRow | undefined> {
  return keys.db
    .selectFrom('idempotency_keys')
    .select([
      'request_hash',
      'status',
      'response_status',
      'response_headers',
      'response_body',
      'locked_until',
      'owner',
      'effect_kind',
      'effect_id',
      'effect_secret',
    ])
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .executeTakeFirst();
}

async function insertKey(keys: Keys, claim: Claim, hash: string): Promise<boolean> {
  const now = keys.clock.now();
  const inserted = await keys.db
    .insertInto('idempotency_keys')
    .values({
      scope: claim.scope,
      key: claim.key,
      request_hash: hash,
      status: 'in_progress',
      response_status: null,
      response_headers: null,
      response_body: null,
      created_at: now.toISOString(),
      locked_until: lockedUntilFrom(now),
      expires_at: new Date(now.getTime() + idempotencyRetentionMs).toISOString(),
      owner: claim.owner,
      effect_kind: null,
      effect_id: null,
      effect_secret: null,
    })
    .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows === 1n;
}

/**
 * Waits while the first request runs (its effect may already have
 * committed while it still waits on an outside party); gives up at the
 * bound, or once its lock has run out because its process died.
 */
async function settledKey(keys: Keys, claim: Claim): Promise<KeyRow | undefined> {
  for (let waitedMs = 0; ; waitedMs += waitPollMs) {
    const row = await readKey(keys, claim);
    if (!row || row.status === 'done') return row;
    if (row.locked_until <= keys.clock.now().toISOString() || waitedMs >= idempotencyWaitMs) return row;
    await sleep(waitPollMs);
  }
}

async function takeOver(keys: Keys, mine: Claim, lockedUntil: string): Promise<boolean> {
  const updated = await updateKey(keys, mine)
    .set({ locked_until: lockedUntilFrom(keys.clock.now()), owner: mine.owner })
    .where('status', '=', 'in_progress')
    .where('locked_until', '=', lockedUntil)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

async function replayEffect(
  keys: Keys,
  reply: FastifyReply,
  claim: Claim,
  row: KeyRow,
  replayed: boolean,
): Promise<void> {
  const request = reply.request;
  const replay = request.routeOptions.config.idempotent;
  invariant(replay, `idempotent route ${request.routeOptions.url} says how to replay its effect`);
  invariant(row.effect_kind !== null && row.effect_id !== null, 'a committed key names what it made');
  const secret = row.effect_secret === null ? undefined : openSecret(row.effect_secret, keys.masterKey);
  const answer = await replay({ kind: row.effect_kind, id: row.effect_id, secret }, request);
  request.idempotency = claim;
  if (replayed) reply.header(replayedHeader, 'true');
  await reply.code(answer.status).send(answer.body);
}

async function answerRepeat(keys: Keys, reply: FastifyReply, mine: Claim, hash: string): Promise<void> {
  const row = await settledKey(keys, mine);
  if (!row) throw new Problem('idempotency_request_in_progress', 'the key was just released; retry');
  if (row.request_hash !== hash) {
    throw new Problem('idempotency_key_reused', 'this Idempotency-Key was already used with a different request');
  }
  if (row.status === 'done' && row.response_status !== null && row.response_body !== null) {
    const stored = JSON.parse(row.response_headers ?? '{}') as { contentType?: string };
    await reply
      .code(row.response_status)
      .header('content-type', stored.contentType ?? 'application/json; charset=utf-8')
      .header(replayedHeader, 'true')
      .send(openSecret(row.response_body, keys.masterKey).reveal());
    return;
  }
  if (row.status === 'committed') return replayEffect(keys, reply, { ...mine, owner: row.owner ?? '' }, row, true);
  if (row.locked_until > keys.clock.now().toISOString() || !(await takeOver(keys, mine, row.locked_until))) {
    throw new Problem('idempotency_request_in_progress', 'a request with this Idempotency-Key is still running');
  }
  reply.request.idempotency = mine;
}

/**
 * Stores the answer once it is known. A 5xx releases the key unless the
 * effect committed; a failure to store is logged and the answer still goes
 * out: a retry then rebuilds it from the effect.
 */
async function storeAnswer(keys: Keys, reply: FastifyReply, claimed: Claim, payload: unknown): Promise<void> {
  try {
    if (reply.statusCode >= serverErrorStatusMin || typeof payload !== 'string') {
      await keys.db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', claimed.scope)
        .where('key', '=', claimed.key)
        .where('owner', '=', claimed.owner)
        .where('status', '=', 'in_progress')
        .execute();
      return;
    }
    await updateKey(keys, claimed)
      .set({
        status: 'done',
        response_status: reply.statusCode,
        response_headers: JSON.stringify({ contentType: String(reply.getHeader('content-type') ?? '') }),
        response_body: sealSecret(payload, keys.masterKey, keys.random),
      })
      .where('owner', '=', claimed.owner)
      .execute();
  } catch (error) {
    reply.request.log.error({ err: error }, 'the answer could not be stored; a retry rebuilds it from its effect');
  }
}

/**
 * One mechanism every creating or money-moving route opts into with
 * `config: {idempotent: <its replay>}`. The first request takes the key and
 * its use case records what it made in its own transaction. A repeat while
 * it runs waits for its answer (up to `idempotencyWaitMs`, then 409); a
 * stored 2xx/4xx answer is replayed byte for byte; an effect that committed
 * without a stored answer (the process died, or storing it failed) is
 * rebuilt by the route's replay from the resource. A 5xx with no effect
 * releases the key so the retry runs again. Stored answers and secrets are
 * sealed under the master key: some carry a secret shown only once.
 */
export function createIdempotency(database: Database, clock: Clock, masterKey: Secret, random: Random) {
  const keys: Keys = { db: database.kysely, clock, masterKey, random };
  const seal = (secret: Secret) => sealSecret(secret.reveal(), masterKey, random);

  async function claim(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.routeOptions.config.idempotent) return;
    const mine: Claim = { scope: scopeOf(request), key: keyOf(request), owner: random.bytes(16).toString('base64url') };
    const hash = requestHash(request);
    if (await insertKey(keys, mine, hash)) request.idempotency = mine;
    else await answerRepeat(keys, reply, mine, hash);
  }

  /** Runs an idempotent route's handler with its claim in reach of `recordIdempotentEffect`. */
  function bindHandler(route: RouteOptions): void {
    if (!route.config?.idempotent) return;
    const handler = route.handler;
    route.handler = function (this: unknown, request, reply) {
      const claimed = request.idempotency;
      if (!claimed) return handler.call(this as never, request, reply);
      return running.run({ ...claimed, seal }, () => handler.call(this as never, request, reply));
    };
  }

  async function record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claimed = request.idempotency;
    if (!claimed) return payload;
    request.idempotency = undefined;
    await storeAnswer(keys, reply, claimed, payload);
    return payload;
  }

  /**
   * A request that fails after its effect committed answers with the
   * effect, not with a 5xx: the caller must never be told "unknown" about
   * something that happened when the hub can say what happened.
   */
  async function answerAfterFailure(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const claimed = request.idempotency;
    if (!claimed) return false;
    try {
      const row = await readKey(keys, claimed);
      if (row?.status !== 'committed' || row.owner !== claimed.owner) return false;
      await replayEffect(keys, reply, claimed, row, false);
      return true;
    } catch (error) {
      request.log.error({ err: error }, 'the committed effect could not be rebuilt into an answer');
      return false;
    }
  }

  async function purgeExpired(): Promise<number> {
    const result = await keys.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<', clock.now().toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  return { claim, record, bindHandler, answerAfterFailure, purgeExpired };
}
