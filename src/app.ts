import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { pino } from 'pino';
import { auditRoutes } from './audit/index.ts';
import { buyerCallerOf, checkoutPaymentSource, checkoutRoutes } from './checkout/index.ts';
import { channelRoutes } from './channels/index.ts';
import type { HubContext } from './context.ts';
import type { App } from './http/index.ts';
import { createAuthHook } from './http/index.ts';
import { handleError, sendProblem } from './http/index.ts';
import './http/index.ts';
import { feeRoutes } from './fees/index.ts';
import { createIdempotency } from './http/index.ts';
import { createHttpMetrics, registerCapabilityMetrics } from './http/index.ts';
import { purgeExpiredNonces } from './http/index.ts';
import { Problem } from './http/index.ts';
import { ProblemSchema } from './http/index.ts';
import { createValidatorCompiler } from './http/index.ts';
import { hubRoutes } from './hub/index.ts';
import { ledgerRoutes } from './ledger/index.ts';
import { merchantCallerOf, merchantRoutes } from './merchants/index.ts';
import { notifyMetrics, notifyRoutes } from './notify/index.ts';
import { createSignatureResolver, participantRoutes } from './participants/index.ts';
import { createPaymentService, paymentRoutes } from './payments/index.ts';
import { placardPaymentSource, placardRoutes, tillQrPaymentSource } from './placards/index.ts';
import { posRoutes } from './pos/index.ts';
import { secretsEqual } from './platform/index.ts';
import { checkoutSettingsRoutes, rolloutRoutes } from './rollout/index.ts';
import { settlementRoutes } from './settlement/index.ts';
import { transferRoutes } from './transfers/index.ts';
import { reconciliationRoutes } from './reconciliation/index.ts';
import { refundRoutes } from './refunds/index.ts';
import { statementRoutes } from './statements/index.ts';
import { webRoutes } from './web/index.ts';

/** DESIGN: every body has a limit; 1 MiB for JSON. */
export const bodyBytesMax = 1024 * 1024;
const housekeepingIntervalMs = 10 * 60 * 1000;

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
  if (body.length === 0) return done(null, undefined);
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

async function resolveBearer(ctx: HubContext, token: string) {
  if (secretsEqual(token, ctx.config.operatorToken)) return { type: 'operator', id: 'operator' } as const;
  return (await merchantCallerOf(ctx, token)) ?? buyerCallerOf(ctx, token);
}

/** Routes a deployment adds beside the hub's own, such as the demo's wallet app. */
export type ExtraRoutes = (app: App, ctx: HubContext) => void;

export async function buildApp(ctx: HubContext, logger: pino.Logger, extraRoutes?: ExtraRoutes): Promise<HubServer> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: bodyBytesMax,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('caller', undefined);
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('idempotency', undefined);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonKeepingRaw);
  app.addSchema(ProblemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Lintas hub', version: '0.1.0', description: 'Open payment interconnection switch' },
      servers: [{ url: ctx.config.publicUrl }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const metrics = createHttpMetrics();
  registerCapabilityMetrics(metrics.registry, notifyMetrics(ctx));
  const idempotency = createIdempotency(ctx.db, ctx.clock, ctx.config.masterKey, ctx.random);
  app.addHook('preValidation', async (request) => {
    // A POST without a body is an empty object to its schema, so missing fields are named one by one.
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'DELETE') request.body = {};
  });
  app.addHook(
    'preValidation',
    createAuthHook({
      resolveBearer: (token) => resolveBearer(ctx, token),
      verifySignature: createSignatureResolver(ctx),
    }),
  );
  // After auth, before validation: a 400 for a bad body is an answer like any other 4xx, stored and replayed.
  app.addHook('preValidation', idempotency.claim);
  app.addHook('onSend', idempotency.record);
  app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(new Problem('not_found', `no route ${request.method} ${request.url.split('?')[0]}`), reply),
  );

  operationsRoutes(app, ctx, metrics.registry);
  hubRoutes(app, ctx);
  participantRoutes(app, ctx);
  merchantRoutes(app, ctx);
  channelRoutes(app, ctx);
  checkoutSettingsRoutes(app, ctx);
  rolloutRoutes(app, ctx);
  auditRoutes(app, ctx);
  notifyRoutes(app, ctx);
  ledgerRoutes(app, ctx);
  feeRoutes(app, ctx);
  settlementRoutes(app, ctx);
  transferRoutes(app, ctx);
  checkoutRoutes(app, ctx);
  paymentRoutes(app, ctx, createPaymentService([checkoutPaymentSource, placardPaymentSource, tillQrPaymentSource]));
  placardRoutes(app, ctx);
  posRoutes(app, ctx);
  refundRoutes(app, ctx);
  statementRoutes(app, ctx);
  reconciliationRoutes(app, ctx);
  webRoutes(app);
  extraRoutes?.(app, ctx);

  const housekeeping = setInterval(() => {
    void Promise.all([idempotency.purgeExpired(), purgeExpiredNonces(ctx.db, ctx.clock.now())]).catch(
      (error: unknown) => logger.warn({ err: error }, 'housekeeping failed'),
    );
  }, housekeepingIntervalMs);
  housekeeping.unref();

  await app.ready();
  return {
    app,
    close: async () => {
      clearInterval(housekeeping);
      await app.close();
    },
  };
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
