/**
 * What every operation of `/openapi.json` says besides its schemas, added in
 * one place from the route's own configuration (`config.auth`,
 * `config.idempotent`) and its capability: who may call it and how they
 * prove it, the `Idempotency-Key` header, every problem code it may answer,
 * a description, and an example of each request and answer.
 */
import type { CallerType } from '../http/index.ts';
import { type JsonSchema, exampleOf } from './examples.ts';
import { type RouteFacts, problemCodesOf } from './problems.ts';

type Json = Record<string, unknown>;
type Media = { schema?: JsonSchema; example?: unknown; examples?: Json };
export type Operation = Json & {
  summary?: string;
  description?: string;
  parameters?: (Json & { name: string; in: string; schema?: JsonSchema })[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, Json & { content?: Record<string, Media> }>;
  security?: Record<string, string[]>[];
};

export type ProblemCatalogue = {
  /** Every registered code. */
  codes(): readonly string[];
  registeredBy(capability: string): readonly string[];
  entry(code: string): readonly [number, string];
};

/** The security schemes, by the caller type (`config.auth`) each proves. */
export const schemeOfCaller: Readonly<Record<CallerType, string>> = {
  operator: 'operatorBearer',
  merchant: 'merchantKey',
  buyer: 'checkoutClientSecret',
  participant: 'participantSignature',
};

const callerWords: Record<string, string> = {
  operator: 'the operator',
  merchant: "a merchant's server",
  buyer: "the buyer's browser (the checkout's client secret)",
  participant: 'a participant (a signed request)',
};

export const idempotencyKeyCharsMax = 255;

const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description:
    'A unique value per operation (a UUID): a retry with the same key and body answers what the first ' +
    'request answered, byte for byte, with `Idempotent-Replayed: true`; kept at least 24 hours, scoped to ' +
    'the caller and the route. The same key with another body is `422 idempotency_key_reused`.',
  schema: { type: 'string', minLength: 1, maxLength: idempotencyKeyCharsMax },
  example: '5d1c7e7a-3f0b-4a8e-9a55-2b1f0c9e4d21',
};

const replayedHeader = {
  description: '`true` when this answer is the stored answer of an earlier request with the same Idempotency-Key',
  schema: { type: 'string', enum: ['true'] },
};

/** A summary for the routes that have none, from their method and path. */
function summaryOf(method: string, path: string): string {
  const segments = path.split('/').filter((segment) => segment && segment !== 'v1');
  const last = segments.at(-1) ?? '';
  const noun = (segment: string) => segment.replace(/[-_]/g, ' ').replace(/s$/, '');
  if (last.startsWith('{')) {
    const owner = noun(segments.at(-2) ?? 'object');
    if (method === 'GET') return `Read one ${owner}`;
    if (method === 'PATCH') return `Change one ${owner}`;
    if (method === 'DELETE') return `Delete one ${owner}`;
    return `Replace one ${owner}`;
  }
  if (method === 'GET') return `List ${last.replace(/[-_]/g, ' ')}`;
  if (method === 'POST' && segments.length >= 3)
    return `${last[0]?.toUpperCase()}${last.slice(1)} the ${noun(segments.at(-3) ?? '')}`;
  return `Create a ${noun(last)}`;
}

function describe(operation: Operation, route: RouteFacts, codes: readonly string[]): string {
  const callers =
    route.auth.length === 0 ? 'anyone (no credentials)' : route.auth.map((type) => callerWords[type]).join(', or ');
  const lines = [`${operation.summary}.`, '', `Who may call it: ${callers}.`];
  if (route.idempotent)
    lines.push(
      '',
      'It creates an object or moves money, so it takes an `Idempotency-Key`: on a timeout or a 5xx, ' +
        'send the same request again with the same key until an answer is final.',
    );
  lines.push('', `Problems it may answer (RFC 9457, by \`code\`): ${codes.map((code) => `\`${code}\``).join(', ')}.`);
  return lines.join('\n');
}

/** One response per status the operation's problems have, each code with an example body. */
function problemResponsesOf(codes: readonly string[], catalogue: ProblemCatalogue): Operation['responses'] {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const [status] = catalogue.entry(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: NonNullable<Operation['responses']> = {};
  for (const [status, list] of byStatus) {
    const examples = Object.fromEntries(list.map((code) => [code, { $ref: `#/components/examples/${code}` }]));
    responses[String(status)] = {
      description: `A problem: ${list.map((code) => `\`${code}\``).join(', ')} (see docs/problems.md for what to do)`,
      content: {
        'application/problem+json': {
          schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: list } } }] },
          examples,
        },
      },
    };
  }
  return responses;
}

/** `components.examples`: one problem body per code, which each operation's problem responses name. */
export function problemExamples(codes: readonly string[], catalogue: ProblemCatalogue): Record<string, Json> {
  return Object.fromEntries(
    codes.map((code) => {
      const [status, title] = catalogue.entry(code);
      const value: Json = {
        type: `https://lintas.dev/problems/${code}`,
        title,
        status,
        detail: code === 'invalid_request' ? 'The request has invalid fields' : title,
        code,
      };
      if (code === 'invalid_request') value.errors = [{ pointer: '/amount', detail: 'must be >= 1' }];
      return [code, { summary: title, value }];
    }),
  );
}

type Resolve = (ref: string) => JsonSchema | undefined;

function addExamples(operation: Operation, path: string, resolve: Resolve): void {
  const context = path.split('/').filter((segment) => segment && !segment.startsWith('{'));
  for (const parameter of operation.parameters ?? [])
    if (parameter.schema && parameter.example === undefined)
      parameter.example = exampleOf(parameter.schema, resolve, parameter.name, context);
  for (const media of Object.values(operation.requestBody?.content ?? {}))
    if (media.schema && media.example === undefined) media.example = exampleOf(media.schema, resolve, '', context);
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!status.startsWith('2')) continue;
    for (const [type, media] of Object.entries(response.content ?? {}))
      if (type.includes('json') && media.schema && media.example === undefined)
        media.example = exampleOf(media.schema, resolve, '', context);
  }
}

const successWords: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

function answerWords(status: string, description: unknown): string {
  return typeof description === 'string' && description !== 'Default Response'
    ? description
    : (successWords[status] ?? 'The answer');
}

/** Adds to `operation`, in place, everything this module says an operation has. */
export function completeOperation(
  operation: Operation,
  route: RouteFacts,
  catalogue: ProblemCatalogue,
  resolve: Resolve,
): void {
  operation.summary ??= summaryOf(route.method, route.path);
  const codes = problemCodesOf(route, catalogue.registeredBy, (code) => catalogue.entry(code)[0]);
  operation.description = [operation.description, describe(operation, route, codes)].filter(Boolean).join('\n\n');
  operation.security = route.auth.map((type) => ({ [schemeOfCaller[type]]: [] }));
  if (route.idempotent) {
    operation.parameters = [...(operation.parameters ?? []), { ...idempotencyHeader }];
    for (const [status, response] of Object.entries(operation.responses ?? {}))
      if (status.startsWith('2'))
        response.headers = { ...(response.headers as Json), 'Idempotent-Replayed': replayedHeader };
  }
  const responses = Object.fromEntries(
    Object.entries(operation.responses ?? {})
      .filter(([status]) => !/^[45]XX$/i.test(status))
      .map(([status, response]) => [status, { ...response, description: answerWords(status, response.description) }]),
  );
  operation.responses = { ...responses, ...problemResponsesOf(codes, catalogue) };
  addExamples(operation, route.path, resolve);
}
