import type { Caller, CallerType } from './caller.ts';
import type { IdempotentReplay } from './idempotency.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
    rawBody: Buffer | undefined;
    idempotency: { scope: string; key: string; owner: string } | undefined;
  }
  interface FastifyContextConfig {
    /** Who may call this route; absent means public. */
    auth?: readonly CallerType[];
    /**
     * The route creates an object or moves money: Idempotency-Key is required,
     * and this rebuilds its first answer from what its use case recorded it made.
     */
    idempotent?: IdempotentReplay;
    /**
     * The answer shows a secret once (a key, a signing secret, a client
     * secret): every answer of the route, a replay too, says
     * `Cache-Control: no-store`, so no cache along the way keeps it.
     */
    secretAnswer?: boolean;
  }
}
