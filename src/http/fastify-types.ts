import type { Caller, CallerType } from './caller.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
    rawBody: Buffer | undefined;
    idempotency: { scope: string; key: string } | undefined;
  }
  interface FastifyContextConfig {
    /** Who may call this route; absent means public. */
    auth?: readonly CallerType[];
    /** The route creates an object or moves money: Idempotency-Key is required. */
    idempotent?: boolean;
  }
}
