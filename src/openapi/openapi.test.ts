import { readFileSync, readdirSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { capabilities } from '../capabilities.ts';
import { fspiopBasePath } from '../fspiop/index.ts';
import { registeredProblemCodes } from '../http/index.ts';
import { documentedEventTypes } from '../notify/index.ts';
import {
  type TestHub,
  type TestParticipant,
  bearerClient,
  createParticipant,
  isDocsRoute,
  pageRoutes,
  servedRoutes,
  startTestHub,
} from '../testing/index.ts';
import { createMerchant } from '../testing/world.ts';

/**
 * `/openapi.json` is complete: it validates as OpenAPI 3.1, names every
 * route Fastify serves, every problem code the hub can answer, every event
 * it can send; each operation says who calls it, what it answers (problems
 * by code), with an example of each request and answer that its own schema
 * accepts; and the `Idempotency-Key` header is documented exactly on the
 * routes that refuse a request without one.
 */
type Media = { schema?: unknown; example?: unknown; examples?: Record<string, unknown> };
type Operation = {
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown; example?: unknown }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
    examples: Record<string, { value: { code: string; status: number } }>;
  };
};

let hub: TestHub;
let document: Document;

beforeAll(async () => {
  hub = await startTestHub();
  document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as Document;
});
afterAll(async () => {
  await hub?.stop();
});

function operations(): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

/** The routes that are pages or another API's, not operations of this one (see src/security/api9-…). */
const notOperations = (route: string) =>
  pageRoutes.includes(route) || isDocsRoute(route) || route.split(' ')[1]?.startsWith(`${fspiopBasePath}/`) === true;

test('it validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
  expect(document.openapi).toBe('3.1.0');
  const result = await validate(structuredClone(document) as never);
  expect(result.valid ? [] : result.errors).toEqual([]);
});

test('every route Fastify serves is an operation in it, and nothing else is', () => {
  const served = servedRoutes(hub.server.app).filter((route) => !notOperations(route));
  const documented = operations().map(([route]) => route);
  expect(served.length).toBeGreaterThan(100);
  expect(served.filter((route) => !documented.includes(route))).toEqual([]);
  expect(documented.filter((route) => !served.includes(route))).toEqual([]);
});

describe('every operation', () => {
  test('has a summary, a description and its security', () => {
    const schemes = Object.keys(document.components.securitySchemes);
    expect(schemes.sort()).toEqual(['checkoutClientSecret', 'merchantKey', 'operatorBearer', 'participantSignature']);
    for (const [route, operation] of operations()) {
      expect(operation.summary, route).toMatch(/\w/);
      expect(operation.description, route).toMatch(/Who may call it/);
      expect(operation.security, route).toBeInstanceOf(Array);
      for (const requirement of operation.security ?? []) expect(schemes).toContain(Object.keys(requirement)[0]);
    }
  });

  test('lists each problem it may answer under its status, by code', () => {
    const codes = registeredProblemCodes();
    for (const [route, operation] of operations())
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content?.['application/problem+json'];
        const listed = Object.keys(media?.examples ?? {});
        expect(listed.length, `${route} ${status}`).toBeGreaterThan(0);
        for (const code of listed) {
          expect(codes, `${route} ${status}`).toContain(code);
          const example = document.components.examples[code]?.value;
          expect(example?.code).toBe(code);
          expect(String(example?.status)).toBe(status);
        }
      }
  });
});

/** Registered in the base catalogue but never answered: a method a path lacks is `404 not_found` (API9). */
const neverAnswered = ['method_not_allowed'];

function codesInDocsProblems(): string[] {
  const text = readFileSync(new URL('../../docs/problems.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((match) => match[1] as string);
}

test('every problem code the hub registers or docs/problems.md lists is answered by some operation', () => {
  const answered = new Set(
    operations().flatMap(([, operation]) =>
      Object.values(operation.responses).flatMap((response) =>
        Object.keys(response.content?.['application/problem+json']?.examples ?? {}),
      ),
    ),
  );
  const known = [...new Set([...registeredProblemCodes(), ...codesInDocsProblems()])];
  expect(known.length).toBeGreaterThan(60);
  expect(known.filter((code) => !answered.has(code) && !neverAnswered.includes(code))).toEqual([]);
});

/** Ajv over the document's own schemas, its `$ref`s pointing into it. */
function schemaChecker() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (ajv: Ajv2020) => void)(ajv);
  for (const format of ['iso4217', 'iso3166-alpha2', 'text-line']) ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'openapi', components: document.components });
  const pointInto = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
  return (schema: unknown, value: unknown): string[] => {
    const check = ajv.compile(pointInto(schema) as object);
    return check(value) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };
}

function examplesOf(operation: Operation): [string, unknown, unknown][] {
  const found: [string, unknown, unknown][] = [];
  for (const parameter of operation.parameters ?? [])
    found.push([`${parameter.in} ${parameter.name}`, parameter.schema, parameter.example]);
  for (const [type, media] of Object.entries(operation.requestBody?.content ?? {}))
    found.push([`body ${type}`, media.schema, media.example]);
  for (const [status, response] of Object.entries(operation.responses))
    for (const [type, media] of Object.entries(response.content ?? {}))
      if (status.startsWith('2') && type.includes('json'))
        found.push([`${status} ${type}`, media.schema, media.example]);
  return found;
}

/** Each value a reader would copy is one a real caller sends: a real currency, no negative amount, ids with their prefix. */
function unrealistic(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => unrealistic(item, `${at}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const here = `${at}/${key}`;
    const wrong: string[] = [];
    if (key === 'currency' && !['CNY', 'IDR'].includes(item as string)) wrong.push(`${here} is ${String(item)}`);
    if (/amount$/i.test(key) && typeof item === 'number' && (item < 0 || !Number.isInteger(item)))
      wrong.push(`${here} is ${item}`);
    if (typeof item === 'string' && (/ text$|^text$/.test(item) || item.startsWith('obj_')))
      wrong.push(`${here} is a placeholder, ${item}`);
    // An id has its type prefix; a QR template's id is its EMV tag.
    if (key === 'id' && typeof item === 'string' && !/^([a-z]+_[0-9a-z]{26}|\d{2})$/.test(item))
      wrong.push(`${here} is ${item}`);
    return [...wrong, ...unrealistic(item, here)];
  });
}

test('every request and answer has a realistic example that its schema accepts', () => {
  const check = schemaChecker();
  const problems: string[] = [];
  const all = [
    ...operations(),
    ...Object.entries(document.webhooks).map(([name, item]): [string, Operation] => [name, item.post as Operation]),
  ];
  for (const [route, operation] of all)
    for (const [where, schema, example] of examplesOf(operation)) {
      if (example === undefined) problems.push(`${route} ${where}: no example`);
      else if (schema) problems.push(...check(schema, example).map((error) => `${route} ${where}: ${error}`));
      problems.push(...unrealistic(example).map((error) => `${route} ${where}: ${error}`));
    }
  expect(problems).toEqual([]);
});

describe('Idempotency-Key', () => {
  let callers: Record<string, (method: string, path: string) => Promise<{ status: number; body: any }>>;

  beforeAll(async () => {
    const participant: TestParticipant = await createParticipant(hub, { currencies: ['CNY', 'IDR'] });
    const merchant = await createMerchant(hub, participant);
    const bare = (call: ReturnType<typeof bearerClient>) => (method: string, path: string) =>
      call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, { omitIdempotencyKey: true });
    callers = {
      operatorBearer: bare(bearerClient(hub, hub.operatorToken)),
      merchantKey: bare(merchant.call),
      participantSignature: (method, path) =>
        participant.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, {
          omitIdempotencyKey: true,
        }),
    };
  });

  test('is documented, required, on exactly the operations that refuse a request without one', async () => {
    const disagreements: string[] = [];
    const asked = { refused: 0, taken: 0 };
    for (const [route, operation] of operations()) {
      const [method = '', path = ''] = route.split(' ');
      if (method === 'GET') continue;
      const scheme = Object.keys(
        operation.security?.find((one) => callers[Object.keys(one)[0] ?? ''] !== undefined) ?? {},
      )[0];
      const call = scheme === undefined ? undefined : callers[scheme];
      if (!call) continue;
      const answer = await call(method, path.replace(/\{(\w+)\}/g, 'CNY'));
      const refused = answer.status === 400 && answer.body?.code === 'idempotency_key_missing';
      const documented = (operation.parameters ?? []).some(
        (parameter) => parameter.in === 'header' && parameter.name === 'Idempotency-Key' && parameter.required,
      );
      if (refused !== documented) disagreements.push(`${route}: refuses ${refused}, documents ${documented}`);
      asked[refused ? 'refused' : 'taken'] += 1;
    }
    expect(disagreements).toEqual([]);
    expect(asked.refused).toBeGreaterThan(15);
    expect(asked.taken).toBeGreaterThan(15);
  });
});

/** The event types a capability lists, notify documents, or the code passes to `emitEvent` by name. */
function eventTypesTheCodeCanEmit(): string[] {
  const named = new Set<string>([...documentedEventTypes, ...capabilities.flatMap((one) => one.events ?? [])]);
  const source = new URL('../', import.meta.url);
  for (const entry of readdirSync(source, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') || /test/.test(entry) || entry.startsWith('notify')) continue;
    const text = readFileSync(new URL(entry, source), 'utf8');
    if (!text.includes('emitEvent(')) continue;
    for (const match of text.matchAll(/(action: )?'([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)'/g))
      if (match[1] === undefined) named.add(match[2] as string);
  }
  return [...named].sort();
}

describe('webhooks', () => {
  test('every event the code can emit is there, to its receivers, with its body', () => {
    const types = eventTypesTheCodeCanEmit();
    expect(types.length).toBeGreaterThan(25);
    const missing = types.filter(
      (type) => !document.webhooks[`webhook ${type}`] && !document.webhooks[`callback ${type}`],
    );
    expect(missing).toEqual([]);
    for (const [name, item] of Object.entries(document.webhooks)) {
      const body = item.post?.requestBody?.content['application/json'];
      expect(body?.schema, name).toBeDefined();
      expect(body?.example, name).toBeDefined();
    }
  });

  test("the participant's authorisation callback is there", () => {
    const authorization = document.webhooks['callback authorizations']?.post;
    expect(authorization?.summary).toContain('{callbackUrl}/authorizations');
    expect(authorization?.responses['200']?.content?.['application/json']?.example).toMatchObject({
      decision: 'approved',
    });
  });
});
