import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { TestHub } from '../testing/index.ts';
import { freshKey, referenceSign } from '../testing/index.ts';
import type { SecurityWorld } from './world.test-support.ts';

/**
 * Generated bad input (fast-check) for every operation in `/openapi.json`:
 * path ids, query strings, headers and bodies that are wrong (wrong types,
 * missing and extra fields, huge, negative and fractional amounts, Unicode,
 * deep nesting, broken JSON, oversized bodies, other media types), sent as
 * each kind of caller and as none. What must hold for every one:
 *
 * - never a 5xx;
 * - every refusal is an RFC 9457 problem whose `code` is in
 *   `docs/problems.md` and whose `status` is the answer's;
 * - a request that would change state is refused (each one carries a
 *   defect: an id that names nothing, a body its schema refuses, or no
 *   Idempotency-Key), and the count of rows of every business table is the
 *   same after the run as before. The hub's own books of requests are left
 *   out of that count: a refused request is still one the idempotency table
 *   answers again, whose signature nonce is spent, that a rate limit counts.
 */
export type Operation = {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; type: string | undefined }[];
  body: Record<string, { type?: string }> | undefined;
  bodyMedia: string | undefined;
};

export async function operationsOf(hub: TestHub): Promise<Operation[]> {
  const document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, any>>;
  };
  const operations: Operation[] = [];
  for (const [path, byMethod] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(byMethod)) {
      const parameters: any[] = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const media = Object.keys(content)[0];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        query: parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => ({ name: parameter.name, type: parameter.schema?.type })),
        body: media ? (content[media]?.schema?.properties ?? {}) : undefined,
        bodyMedia: media,
      });
    }
  return operations;
}

/** The codes `docs/problems.md` lists: the only ones a refusal may carry. */
export function documentedCodes(): Set<string> {
  const text = readFileSync(new URL('../../docs/problems.md', import.meta.url), 'utf8');
  return new Set([...text.matchAll(/^\| `([a-z_]+)`/gm)].map((match) => match[1] as string));
}

// ---------------------------------------------------------------- what is generated

const badScalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(-1, 0, 0.5, -0.01, 1e21, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63)),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '茶叶店', '💳', '12', 'NaN', '1e3', '<script>', '%00', '../..'),
  fc.constantFrom('x'.repeat(5_000)),
);
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: badScalar },
  { weight: 1, arbitrary: fc.array(badScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), badScalar, { maxKeys: 3 }) },
);

/** A body that its schema refuses, or that is no JSON at all. */
function badBody(operation: Operation): fc.Arbitrary<{ text: string; contentType: string | undefined }> {
  const fields = Object.keys(operation.body ?? {});
  const json = (value: unknown) => ({ text: JSON.stringify(value), contentType: 'application/json' });
  const wrongFields = fc
    .record({
      values: fc.array(fc.tuple(fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('amount'), badValue), {
        maxLength: 6,
      }),
      extra: fc.constantFrom('fuzzExtra', 'status', 'id', '__proto__', 'constructor', 'fees', 'position'),
      extraValue: badValue,
    })
    .map(({ values, extra, extraValue }) => {
      const body: Record<string, unknown> = Object.create(null);
      for (const [name, value] of values) body[name] = value;
      // One field no schema has: every body schema refuses unknown fields.
      Object.defineProperty(body, extra === '__proto__' ? 'fuzzExtra' : extra, { value: extraValue, enumerable: true });
      return json(body);
    });
  return fc.oneof(
    { weight: 6, arbitrary: wrongFields },
    { weight: 1, arbitrary: badValue.map((value) => json(Array.isArray(value) ? value : [value])) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{', '{"a":', '[1,,2]', '{"a":1}}', 'nul', '\u0000', '{"a":"\ud800"}')
        .map((text) => ({ text, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 50, max: 3_000 })
        .map((depth) => ({ text: `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        text: JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) }),
        contentType: 'application/json',
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', undefined)
        .map((contentType) => ({ text: 'a=1&b=2', contentType })),
    },
  );
}

const pathSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).map((text) => `fz_${text}`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
  fc.constantFrom('0', '-1', '1.5', 'null', 'chk_00000000000000000000000000', 'x'.repeat(200), '%', '%E0%A4%A', '..'),
);

const badQuery = (operation: Operation) =>
  fc.array(
    fc.tuple(
      operation.query.length > 0
        ? fc.oneof(fc.constantFrom(...operation.query.map((parameter) => parameter.name)), fc.constant('fuzz'))
        : fc.constant('fuzz'),
      badScalar.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))),
    ),
    { maxLength: 4 },
  );

export type CallerKind = 'none' | 'operator' | 'merchant' | 'participant' | 'buyer' | 'wrong';
const callers: CallerKind[] = ['none', 'operator', 'merchant', 'participant', 'buyer', 'wrong'];

export type BadRequest = {
  operation: Operation;
  caller: CallerKind;
  path: string;
  body: { text: string; contentType: string | undefined } | undefined;
  idempotencyKey: boolean;
};

/** One bad request for one of the operations; each mutating one carries a defect that refuses it. */
export function badRequest(operations: readonly Operation[]): fc.Arbitrary<BadRequest> {
  return fc.constantFrom(...operations).chain((operation) =>
    fc
      .record({
        caller: fc.constantFrom(...callers),
        segments: fc.array(pathSegment, {
          minLength: operation.pathParams.length,
          maxLength: operation.pathParams.length,
        }),
        query: badQuery(operation),
        body:
          operation.bodyMedia === 'application/json'
            ? badBody(operation).map((body) => body as typeof body | undefined)
            : fc.constant(undefined),
        idempotencyKey: fc.boolean(),
      })
      .map(({ caller, segments, query, body, idempotencyKey }) => {
        let path = operation.path;
        operation.pathParams.forEach((name, index) => {
          const segment = segments[index] as string;
          const encoded = /^%/.test(segment) ? segment : encodeURIComponent(segment);
          path = path.replace(`{${name}}`, encoded);
        });
        const search = query
          .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
          .join('&');
        // Without a body schema or an id, the only defect left to refuse it is a missing Idempotency-Key.
        const mutating = operation.method !== 'GET';
        const keyless = mutating && operation.pathParams.length === 0 && operation.bodyMedia !== 'application/json';
        return {
          operation,
          caller,
          path: search ? `${path}?${search}` : path,
          body,
          idempotencyKey: keyless ? false : idempotencyKey,
        };
      }),
  );
}

// ---------------------------------------------------------------- sending and judging

export async function send(
  world: SecurityWorld,
  request: BadRequest,
): Promise<{ status: number; contentType: string; text: string }> {
  const { hub } = world;
  const url = `${hub.url}${request.path}`;
  const headers: Record<string, string> = {};
  if (request.body?.contentType) headers['content-type'] = request.body.contentType;
  if (request.idempotencyKey) headers['idempotency-key'] = freshKey();
  const bearer: Record<CallerKind, string | undefined> = {
    none: undefined,
    operator: hub.operatorToken,
    merchant: world.merchantA.secretKey,
    buyer: world.paidA.checkout.clientSecret,
    wrong: 'sk_fuzz_not_a_key',
    participant: undefined,
  };
  if (request.caller === 'participant') {
    const signature = referenceSign(
      { method: request.operation.method, url, headers, ...(request.body ? { body: request.body.text } : {}) },
      {
        keyId: world.walletX.keyId,
        privateKey: world.walletX.privateKey,
        created: Math.floor(hub.clock.now().getTime() / 1000),
        nonce: freshKey(),
        alg: true,
      },
    );
    Object.assign(headers, signature.headers);
  } else if (bearer[request.caller]) headers.authorization = `Bearer ${bearer[request.caller]}`;
  const response = await fetch(url, {
    method: request.operation.method,
    headers,
    ...(request.body && request.operation.method !== 'GET' ? { body: request.body.text } : {}),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** What is wrong with an answer to a bad request, or undefined. */
export function judge(
  request: BadRequest,
  answer: { status: number; contentType: string; text: string },
  codes: Set<string>,
): string | undefined {
  const what = `${request.operation.method} ${request.path.slice(0, 200)} as ${request.caller}`;
  if (answer.status >= 500) return `${what}: ${answer.status} ${answer.text.slice(0, 300)}`;
  if (request.operation.method !== 'GET' && answer.status < 400)
    return `${what}: a bad request changed something (${answer.status})`;
  if (answer.status < 400) return undefined;
  if (!answer.contentType.startsWith('application/problem+json'))
    return `${what}: ${answer.status} is not a problem (${answer.contentType})`;
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.text);
  } catch {
    return `${what}: the problem is not JSON`;
  }
  if (typeof problem.code !== 'string' || !codes.has(problem.code))
    return `${what}: code ${String(problem.code)} is not documented`;
  if (problem.status !== answer.status)
    return `${what}: the problem says ${String(problem.status)}, the answer ${answer.status}`;
  return undefined;
}

/** The hub's books of requests, which a refused request still writes (see the top of this file). */
const requestBooks = new Set([
  'idempotency_keys',
  'signature_nonces',
  'rate_limit_counters',
  'kysely_migration',
  'kysely_migration_lock',
]);

/** Rows in every business table. */
export async function tableCounts(hub: TestHub): Promise<Record<string, number>> {
  const db = hub.ctx.db.kysely;
  const tables = (await db.introspection.getTables())
    .map((table) => table.name)
    .filter((name) => !requestBooks.has(name));
  const counts: Record<string, number> = {};
  for (const name of tables.sort()) {
    const row = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(name)}`.execute(db);
    counts[name] = Number(row.rows[0]?.count ?? 0);
  }
  return counts;
}

export type BadInputRun = { requests: number; byStatus: Record<number, number>; failures: string[] };

/** Sends `requests` generated bad requests (seeded), judging each; the run's tally. */
export async function runBadInput(
  world: SecurityWorld,
  options: { seed: number; requests: number; onProgress?: (done: number) => void },
): Promise<BadInputRun> {
  const operations = await operationsOf(world.hub);
  const codes = documentedCodes();
  const arbitrary = badRequest(operations);
  const run: BadInputRun = { requests: 0, byStatus: {}, failures: [] };
  const concurrency = 8;
  // Requests are drawn a chunk at a time (chunk i from seed + i), so a long run holds one chunk, not every body.
  const chunkRequests = 1_000;
  let chunk: BadRequest[] = [];
  let chunkIndex = -1;
  let next = 0;
  const requestAt = (index: number): BadRequest => {
    const wanted = Math.floor(index / chunkRequests);
    if (wanted !== chunkIndex) {
      chunkIndex = wanted;
      const size = Math.min(chunkRequests, options.requests - wanted * chunkRequests);
      chunk = fc.sample(arbitrary, { seed: options.seed + wanted, numRuns: size });
    }
    return chunk[index % chunkRequests] as BadRequest;
  };
  const lane = async () => {
    while (next < options.requests) {
      const request = requestAt(next);
      next += 1;
      const answer = await send(world, request).catch((error: Error) => ({
        status: 599,
        contentType: '',
        text: error.message,
      }));
      run.requests += 1;
      run.byStatus[answer.status] = (run.byStatus[answer.status] ?? 0) + 1;
      const failure = judge(request, answer, codes);
      if (failure && run.failures.length < 50) run.failures.push(failure);
      if (run.requests % 1000 === 0) options.onProgress?.(run.requests);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return run;
}
