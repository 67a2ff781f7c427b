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
  }
}
