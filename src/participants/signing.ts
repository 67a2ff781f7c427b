import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../context.ts';
import {
  type SignatureResolver,
  parseEd25519PublicJwk,
  useNonce,
  type SignatureKeyRecord,
  verifySignedRequest,
  verifySignedResponse,
} from '../http/index.ts';
import { fromJson } from '../db/index.ts';
import { findKeyRow, findParticipantRow } from './store.ts';
import { invariant } from '../platform/index.ts';

/** Participants that may still call the hub: a suspended one may read and settle. */
const callingStatuses = new Set(['active', 'suspended']);

async function findSigningKey(ctx: HubContext, keyId: string): Promise<SignatureKeyRecord | undefined> {
  const row = await findKeyRow(ctx.db.kysely, keyId);
  if (!row) return undefined;
  const parsed = parseEd25519PublicJwk(fromJson(row.jwk));
  invariant(parsed.ok, `stored key ${keyId} is a valid Ed25519 JWK`);
  return {
    keyId,
    participantId: row.participant_id,
    status: row.status === 'active' ? 'active' : 'revoked',
    publicKey: parsed.key,
  };
}

function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark === -1 ? { path: url, query: '?' } : { path: url.slice(0, mark), query: url.slice(mark) };
}

/** Verifies RFC 9421 signatures against participants' registered keys. */
export function createSignatureResolver(ctx: HubContext): SignatureResolver {
  return async (request: FastifyRequest) => {
    const { path, query } = splitUrl(request.url);
    const verdict = await verifySignedRequest(
      {
        method: request.method,
        authority: request.headers.host ?? '',
        path,
        query,
        headers: request.headers,
        body: request.rawBody,
      },
      {
        findKey: (keyId) => findSigningKey(ctx, keyId),
        useNonce: (keyId, nonce, expiresAt) => useNonce(ctx.db, keyId, nonce, expiresAt),
        now: () => ctx.clock.now(),
      },
    );
    if (!verdict.ok) return verdict;
    const participant = await findParticipantRow(ctx.db.kysely, verdict.participantId);
    if (!participant || !callingStatuses.has(participant.status)) {
      return { ok: false, code: 'forbidden', detail: `participant ${verdict.participantId} is not active` };
    }
    const caller = {
      type: 'participant',
      id: verdict.participantId,
      keyId: verdict.keyId,
      rateLimitPerMinute: participant.rate_limit_per_minute,
    } as const;
    return { ok: true, caller };
  };
}

/**
 * Whether an answer to the hub's own request (a wallet's authorisation) is
 * signed by an active key of `participantId`, the participant asked: an
 * unsigned answer, or one signed by anyone else, is not taken.
 */
export async function verifyParticipantAnswer(
  ctx: HubContext,
  participantId: string,
  response: { status: number; headers: Record<string, string>; body: string },
): Promise<{ ok: true } | { ok: false; detail: string }> {
  const verdict = await verifySignedResponse(
    { status: response.status, headers: response.headers, body: Buffer.from(response.body, 'utf8') },
    participantId,
    { findKey: (keyId) => findSigningKey(ctx, keyId), now: () => ctx.clock.now() },
  );
  return verdict.ok ? { ok: true } : { ok: false, detail: `${verdict.code}: ${verdict.detail}` };
}
