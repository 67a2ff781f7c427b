import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, CallerType } from './caller.ts';
import { Problem } from './problems.ts';
import type { SignatureRefusal } from './signatures.ts';
import { invariant } from '../platform/index.ts';

/** Turns a bearer token into a caller, or says it does not know it. */
export type BearerResolver = (token: string) => Promise<Caller | undefined>;

/** Verifies a signed request and returns its participant, or the refusal. */
export type SignatureResolver = (
  request: FastifyRequest,
) => Promise<{ ok: true; caller: Caller } | { ok: false; code: SignatureRefusal | 'forbidden'; detail: string }>;

export type AuthPorts = {
  resolveBearer: BearerResolver;
  verifySignature: SignatureResolver;
};

const bearerPattern = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * Runs before validation so that an unauthenticated caller learns nothing
 * about the shape a route expects. A signed request is tried when the route
 * accepts participants and the request carries a signature.
 */
export function createAuthHook(ports: AuthPorts) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const allowed = request.routeOptions.config.auth;
    if (!allowed) return;
    request.caller = await identify(request, allowed, ports);
    if (!allowed.includes(request.caller.type)) {
      throw new Problem('forbidden', `this route is not open to ${request.caller.type} callers`);
    }
  };
}

async function identify(request: FastifyRequest, allowed: readonly CallerType[], ports: AuthPorts): Promise<Caller> {
  const signed = request.headers['signature-input'] !== undefined || request.headers.signature !== undefined;
  const authorization = request.headers.authorization;
  if (signed || (allowed.includes('participant') && authorization === undefined)) {
    const verdict = await ports.verifySignature(request);
    if (!verdict.ok) throw new Problem(verdict.code, verdict.detail);
    return verdict.caller;
  }
  if (authorization === undefined) throw new Problem('unauthenticated', 'send Authorization: Bearer <token>');
  const match = bearerPattern.exec(authorization);
  const caller = match?.[1] ? await ports.resolveBearer(match[1]) : undefined;
  if (!caller) throw new Problem('unauthenticated', 'the bearer token is not valid');
  return caller;
}

/** The proven caller of a route that declared `auth`; a route without it has none. */
export function callerOf(request: FastifyRequest): Caller {
  invariant(request.caller, `route ${request.routeOptions.url}, which reads a caller, declares auth`);
  return request.caller;
}
