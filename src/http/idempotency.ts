import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/index.ts';
import { type Clock, type Random, type Secret, openSecret, sealSecret, invariant } from '../platform/index.ts';
import { Problem } from './problems.ts';

const keyCharsMax = 255;
/** How long a key is kept: DESIGN says at least 24 hours. */
export const idempotencyRetentionMs = 48 * 60 * 60 * 1000;
const designRetentionMsMin = 24 * 60 * 60 * 1000;
invariant(
  idempotencyRetentionMs >= designRetentionMsMin,
  `idempotency keys are kept at least ${designRetentionMsMin} ms, as DESIGN says (not ${idempotencyRetentionMs})`,
);
/**
 * A request that crashed its process leaves its key locked; after this another may take it over.
 * Anything that holds a request open (a till's authorisation deadline) must stay below it.
 */
export const idempotencyLockMs = 60 * 1000;
const replayedHeader = 'idempotent-replayed';
const serverErrorStatusMin = 500;

type Stored = { status: number; contentType: string; body: string };

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
  const caller = request.caller;
  const party = caller ? `${caller.type}:${caller.id}` : 'public';
  const params = Object.entries((request.params ?? {}) as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `${party} ${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}?${params}`;
}

/**
 * One mechanism every creating or money-moving route opts into with
 * `config: {idempotent: true}`. The first request takes the key; a repeat
 * while it runs gets 409; a finished 2xx/4xx answer is replayed byte for
 * byte; a 5xx releases the key so the retry runs again. Stored answers are
 * sealed under the master key: some carry a secret shown only once.
 */
export function createIdempotency(database: Database, clock: Clock, masterKey: Secret, random: Random) {
  const db = database.kysely;

  async function claim(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.routeOptions.config.idempotent) return;
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
    const scope = scopeOf(request);
    const hash = requestHash(request);
    const now = clock.now();
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        scope,
        key,
        request_hash: hash,
        status: 'in_progress',
        response_status: null,
        response_headers: null,
        response_body: null,
        created_at: now.toISOString(),
        locked_until: new Date(now.getTime() + idempotencyLockMs).toISOString(),
        expires_at: new Date(now.getTime() + idempotencyRetentionMs).toISOString(),
      })
      .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) {
      request.idempotency = { scope, key };
      return;
    }
    await answerRepeat(request, reply, scope, key, hash, now);
  }

  async function answerRepeat(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: string,
    key: string,
    hash: string,
    now: Date,
  ): Promise<void> {
    const row = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
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
        .send(openSecret(row.response_body, masterKey).reveal());
      return;
    }
    if (row.locked_until > now.toISOString() || !(await takeOver(scope, key, row.locked_until, now))) {
      throw new Problem('idempotency_request_in_progress', 'a request with this Idempotency-Key is still running');
    }
    request.idempotency = { scope, key };
  }

  async function takeOver(scope: string, key: string, lockedUntil: string, now: Date): Promise<boolean> {
    const updated = await db
      .updateTable('idempotency_keys')
      .set({ locked_until: new Date(now.getTime() + idempotencyLockMs).toISOString() })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('locked_until', '=', lockedUntil)
      .executeTakeFirst();
    return updated.numUpdatedRows === 1n;
  }

  async function record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claimed = request.idempotency;
    if (!claimed) return payload;
    request.idempotency = undefined;
    const where = db.updateTable('idempotency_keys').where('scope', '=', claimed.scope).where('key', '=', claimed.key);
    if (reply.statusCode >= serverErrorStatusMin || typeof payload !== 'string') {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', claimed.scope)
        .where('key', '=', claimed.key)
        .execute();
      return payload;
    }
    const stored: Stored = {
      status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? ''),
      body: payload,
    };
    await where
      .set({
        status: 'done',
        response_status: stored.status,
        response_headers: JSON.stringify({ contentType: stored.contentType }),
        response_body: sealSecret(stored.body, masterKey, random),
      })
      .execute();
    return payload;
  }

  async function purgeExpired(): Promise<number> {
    const result = await db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<', clock.now().toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  return { claim, record, purgeExpired };
}
