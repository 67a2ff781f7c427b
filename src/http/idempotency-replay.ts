/** How an idempotent route rebuilds its first answer from the effect its use case recorded. */
import type { FastifyRequest } from 'fastify';
import { type Secret, invariant } from '../platform/index.ts';

/** What a request made, written by its use case in the transaction that made it. */
export type IdempotentEffect = { kind: string; id: string; secret?: Secret };
/** The first answer of a request whose effect committed but whose answer was never stored, rebuilt. */
export type ReplayedAnswer = { status: number; body: unknown };
export type IdempotentReplay = (
  effect: { kind: string; id: string; secret: Secret | undefined },
  request: FastifyRequest,
) => Promise<ReplayedAnswer>;

/**
 * The usual replay: the resource read back by id, as the caller sees it,
 * with the status its creation answered.
 */
export function replayAs(
  status: number,
  read: (id: string, request: FastifyRequest, secret: Secret | undefined) => Promise<unknown>,
): IdempotentReplay {
  return async (effect, request) => {
    const body = await read(effect.id, request, effect.secret);
    invariant(body !== undefined, `the ${effect.kind} ${effect.id} an idempotency key recorded exists`);
    return { status, body };
  };
}

/** A replay for an answer that showed a secret once: the resource, with the secret it showed under `field`. */
export function replayShowingOnce(
  status: number,
  field: string,
  read: (id: string, request: FastifyRequest) => Promise<object | undefined>,
): IdempotentReplay {
  return replayAs(status, async (id, request, secret) => {
    invariant(secret !== undefined, `the answer for ${id} keeps the ${field} it showed once`);
    const resource = await read(id, request);
    return resource && { ...resource, [field]: secret.reveal() };
  });
}
