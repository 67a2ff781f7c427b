import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/**
 * The headers every answer carries, set by helmet (`@fastify/helmet`) before
 * any route runs: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
 * no-referrer`, HSTS, `X-Frame-Options: DENY`, the cross-origin policies,
 * and a Content-Security-Policy. An API answer is never a document to render,
 * so its policy lets nothing load and nothing frame it. A page sets its own
 * policy with `reply.header`, which replaces this one: the hosted checkout and
 * share pages (a nonce per response, src/web), the demo, and `/docs`
 * (`docsContentSecurityPolicy`).
 */
export const securityHeaderOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
} as const satisfies FastifyHelmetOptions;

/**
 * The headers helmet gives an API answer, for the few answers Fastify makes
 * before any hook runs (a URL its router cannot decode, a request that is not
 * HTTP): helmet's own middleware, run once over a response that only records.
 */
export const apiSecurityHeaders: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: () => {},
  };
  helmet(securityHeaderOptions)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return headers;
})();

/**
 * swagger-ui at `/docs`: its scripts, style sheets and the OpenAPI document
 * it reads all come from the hub itself; its icons are data: URLs. It adds
 * `<style>` elements as it renders, so styles may be inline; scripts may not,
 * and no outside origin (such as swagger's online validator) is reached.
 */
export const docsContentSecurityPolicy = [
  "default-src 'self'",
  "base-uri 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * onSend: a route with `config: {secretAnswer: true}` is never stored by a
 * cache, whatever answers it: the handler, a replay of its idempotency key
 * (answered before the handler runs) or a problem.
 */
export async function noStoreForSecretAnswers(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (request.routeOptions.config.secretAnswer) reply.header('cache-control', 'no-store');
  return payload;
}
