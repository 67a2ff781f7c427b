import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyRequest, LogController } from 'fastify';
import { sql } from 'kysely';
import type { pino } from 'pino';
import type { ExtraRoutes, RouteWiring } from './capability.ts';
import { capabilities } from './capabilities.ts';
import type { HubContext } from './context.ts';
import { databaseMetrics } from './db/index.ts';
import {
  type App,
  type Caller,
  answerClientError,
  Problem,
  ProblemSchema,
  type SignatureResolver,
  createAuthHook,
  createWindowCounter,
  databaseSharedCounts,
  registerRateLimit,
  redactedUrlForLog,
  createHttpMetrics,
  createIdempotency,
  buildSharedSerializers,
  createValidatorCompiler,
  docsContentSecurityPolicy,
  noStoreForSecretAnswers,
  handleError,
  handleFrameworkError,
  toProblem,
  registerCapabilityMetrics,
  gracefulCloser,
  registerProblemCodes,
  securityHeaderOptions,
  sendProblem,
} from './http/index.ts';
import { invariant, secretsEqual } from './platform/index.ts';

/** DESIGN: every body has a limit; 1 MiB for JSON. */
export const bodyBytesMax = 1024 * 1024;

/** Headers that carry secrets never reach a log line. */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers.signature',
  'req.headers["signature-input"]',
  'headers.authorization',
  '*.secretKey',
  '*.clientSecret',
  '*.secret',
];

export type HubServer = { app: App; close(): Promise<void> };

function parseJsonKeepingRaw(
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, value?: unknown) => void,
): void {
  request.rawBody = body;
  if (body.length === 0) {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(body.toString('utf8')));
  } catch (error) {
    done(
      new Problem('invalid_request', `the body is not valid JSON: ${(error as Error).message}`, {
        errors: [{ pointer: '/', detail: 'is not valid JSON' }],
      }),
    );
  }
}

/** The operator's token first, then each capability that issues bearer tokens, in the list's order. */
async function resolveBearer(ctx: HubContext, token: string): Promise<Caller | undefined> {
  if (secretsEqual(token, ctx.config.operatorToken)) return { type: 'operator', id: 'operator' };
  for (const capability of capabilities) {
    const caller = await capability.bearerCaller?.(ctx, token);
    if (caller) return caller;
  }
  return undefined;
}

function signatureResolverOf(ctx: HubContext): SignatureResolver {
  const resolvers = capabilities.flatMap((capability) => capability.signatureResolver ?? []);
  const [resolver] = resolvers;
  invariant(
    resolver !== undefined && resolvers.length === 1,
    `one capability resolves signatures, not ${resolvers.length}`,
  );
  return resolver(ctx);
}

function registerCapabilities(app: App, ctx: HubContext, metrics: ReturnType<typeof createHttpMetrics>): void {
  const wiring: RouteWiring = {
    paymentSources: capabilities.flatMap((capability) => capability.paymentSources ?? []),
    bridgeProviders: capabilities.flatMap((capability) => capability.bridgeProviders ?? []),
  };
  for (const capability of capabilities) {
    if (capability.problemCodes) registerProblemCodes(capability.problemCodes);
    if (capability.metrics) registerCapabilityMetrics(metrics.registry, capability.metrics(ctx));
    capability.routes?.(app, ctx, wiring);
  }
}

export async function buildApp(ctx: HubContext, logger: pino.Logger, extraRoutes?: ExtraRoutes): Promise<HubServer> {
  const app = Fastify({
    loggerInstance: logger,
    // Each request is logged once it is answered, by `logRequests`, with its URL redacted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyBytesMax,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Answers Fastify would make in its own JSON are problems too.
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: answerClientError,
    schemaController: { compilersFactory: { buildSerializer: buildSharedSerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('caller', undefined);
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('idempotency', undefined);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonKeepingRaw);
  app.addSchema(ProblemSchema);

  // First, so that every answer carries the headers, whatever answers it; a page replaces the CSP with its own.
  await app.register(helmet, securityHeaderOptions);
  await registerApiDocs(app, ctx);

  const metrics = createHttpMetrics();
  const idempotency = createIdempotency(ctx.db, ctx.clock, ctx.config.masterKey, ctx.random);
  app.addHook('preValidation', async (request) => {
    // A POST without a body is an empty object to its schema, so missing fields are named one by one.
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'DELETE') request.body = {};
  });
  await registerCallerHooks(app, ctx, logger);
  // After auth, before validation: a 400 for a bad body is an answer like any other 4xx, stored and replayed.
  app.addHook('preValidation', idempotency.claim);
  app.addHook('onSend', idempotency.record);
  // Last before the bytes leave: what this answer says (or read) is on the disk, with whatever else committed.
  app.addHook('onSend', async () => {
    await ctx.db.durable();
  });
  app.addHook('onSend', noStoreForSecretAnswers);
  app.addHook('onRoute', idempotency.bindHandler);
  app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  logRequests(app);
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    // A refusal the use case made after its effect (a declined charge) is its answer; only a fault is replaced.
    const fault = toProblem(error).status >= 500;
    if (fault && (await idempotency.answerAfterFailure(request, reply))) return reply;
    return handleError(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(new Problem('not_found', `no route ${request.method} ${request.url.split('?')[0]}`), reply),
  );

  registerCapabilityMetrics(metrics.registry, databaseMetrics(ctx.db.counters, ctx.db.engine));
  operationsRoutes(app, ctx, metrics.registry);
  registerCapabilities(app, ctx, metrics);
  extraRoutes?.(app, ctx);

  await app.ready();
  const closeGracefully = gracefulCloser(app.server);
  return { app, close: () => closeGracefully(() => app.close()) };
}

/**
 * Who calls, then how often: a request is counted once its caller is proven,
 * against that caller; a request that proves no one, against its address.
 */
async function registerCallerHooks(app: App, ctx: HubContext, logger: pino.Logger): Promise<void> {
  const authenticate = createAuthHook({
    resolveBearer: (token) => resolveBearer(ctx, token),
    verifySignature: signatureResolverOf(ctx),
  });
  const rateLimit = await registerRateLimit(app, {
    counter: createWindowCounter({
      clock: ctx.clock,
      shared: ctx.db.engine === 'postgres' ? databaseSharedCounts(ctx.db) : undefined,
      logger,
    }),
    settings: ctx.config.rateLimit,
  });
  app.addHook('preValidation', async (request, reply) => {
    const refusal = await authenticate(request, reply).then(
      () => undefined,
      (error: unknown) => error,
    );
    await rateLimit(request, reply);
    if (refusal) throw refusal;
  });
}

/** One line per request once it is answered, its URL redacted (`redactedUrlForLog`): no secret in a log. */
function logRequests(app: App): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        req: { method: request.method, url: redactedUrlForLog(request.url), remoteAddress: request.ip },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });
}

/** The OpenAPI document of every route, and swagger-ui at /docs under its own CSP. */
async function registerApiDocs(app: App, ctx: HubContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Lintas hub', version: '0.1.0', description: 'Open payment interconnection switch' },
      servers: [{ url: ctx.config.publicUrl }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: docsContentSecurityPolicy });
}

function operationsRoutes(app: App, ctx: HubContext, registry: ReturnType<typeof createHttpMetrics>['registry']): void {
  const hidden = { hide: true };
  app.get('/health', { schema: hidden }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: hidden }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db.kysely);
      return { status: 'ready' };
    } catch {
      return sendProblem(new Problem('service_unavailable', 'the database is not reachable'), reply);
    }
  });
  app.get('/metrics', { schema: hidden }, async (_request, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  app.get('/openapi.json', { schema: hidden }, async () => app.swagger());
}
