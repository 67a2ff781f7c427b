/**
 * `/openapi.json`: what `@fastify/swagger` makes of the route schemas, then
 * completed in one pass (`completeDocument`): security schemes, each
 * operation's security, idempotency, problems, description and examples
 * (`operations.ts`), and the `webhooks` (`webhooks.ts`).
 */
import type { CallerType } from '../http/index.ts';
import type { JsonSchema } from './examples.ts';
import { type Operation, type ProblemCatalogue, completeOperation, problemExamples } from './operations.ts';
import type { RouteFacts } from './problems.ts';
import { webhooksOf } from './webhooks.ts';

export const securitySchemes = {
  operatorBearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      "The operator's token: `Authorization: Bearer <token>`. A generated one is in `operator-token` in the " +
      'data directory (0600); or set `LINTAS_OPERATOR_TOKEN`.',
  },
  merchantKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sk_...',
    description:
      "A merchant's secret key, shown once when its acquirer creates the merchant (or rotates the key): " +
      '`Authorization: Bearer sk_...`. Keep it on the server; the hub stores only its hash.',
  },
  checkoutClientSecret: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'cs_...',
    description:
      "A checkout's `clientSecret`, for the buyer's browser: it may read that checkout and start attempts " +
      'on it, nothing else. The hosted URL carries it in its fragment (`/checkout/{id}#cs=...`).',
  },
  participantSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Signature',
    description: [
      'Participants sign every request with HTTP Message Signatures (RFC 9421), Ed25519, with a key registered',
      'under `POST /v1/participants/{id}/keys`. Send `Signature-Input` and `Signature` (label `sig1`) covering',
      '`"@method" "@authority" "@path" "@query"` and, when present, `"content-digest"` (RFC 9530 sha-256 of the',
      'body), `"content-type"` and `"idempotency-key"`, with the parameters `created` (Unix seconds, within',
      '300 s of the hub clock), `keyid` (unique across the hub), `nonce` (single use) and `alg="ed25519"`.',
      'The hub signs its callbacks and its answers the same way with the keys at `GET /v1/hub/keys`. The',
      'participant guide (docs/participant-guide.md) has a worked example to check a signer byte for byte.',
    ].join(' '),
  },
} as const;

type Document = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: unknown; examples?: unknown };
  webhooks?: unknown;
  tags?: unknown;
};

/** What the document knows of the routes beyond their schemas, by `METHOD /path/{param}`. */
export type RouteCatalogue = ReadonlyMap<string, RouteFacts>;

export function resolverOf(document: Document): (ref: string) => JsonSchema | undefined {
  return (ref) => {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    return name === undefined ? undefined : document.components?.schemas?.[name];
  };
}

/** Completes, in place, the document `@fastify/swagger` made. */
export function completeDocument(document: Document, routes: RouteCatalogue, problems: ProblemCatalogue): Document {
  const resolve = resolverOf(document);
  for (const [path, operations] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(operations)) {
      const facts = routes.get(`${method.toUpperCase()} ${path}`) ?? {
        method: method.toUpperCase(),
        path,
        auth: [] as CallerType[],
        idempotent: false,
        capability: undefined,
      };
      completeOperation(operation, facts, problems, resolve);
    }
  document.components = {
    ...document.components,
    securitySchemes,
    examples: problemExamples(problems.codes(), problems),
  };
  document.webhooks = webhooksOf(document, resolve);
  return document;
}
