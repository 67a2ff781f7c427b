/**
 * The FSPIOP 1.1 switch side under `/fspiop`: its own content types, its own
 * errors (`errorInformation`, never an RFC 9457 problem), every request
 * checked against the vendored definition before it is routed, and 202 (200
 * for a callback) as soon as the hub has taken it in.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HubContext } from '../context.ts';
import type { App } from '../http/index.ts';
import type { PaymentService } from '../payments/index.ts';
import { invariant } from '../platform/index.ts';
import {
  type ErrorInformation,
  type FspiopErrorCode,
  acceptedVersions,
  errorInformationOf,
  hubFspId,
  forwardedHeaders,
  parseContentType,
  senderVersionOf,
} from './model.ts';
import { signatureRefusal } from './jws.ts';
import { isHubParty, lookUpMerchant, payMerchant, quoteMerchant } from './merchants.ts';
import { type FspiopMethod, describeViolations, templateOf, violationsOf } from './openapi.ts';
import * as outbound from './outbound.ts';
import * as service from './service.ts';
import type { Dfsp, PartyKey } from './store.ts';
import * as transfers from './transfers.ts';

export const fspiopBasePath = '/fspiop';

/** FSPIOP allows 5 MiB bodies; Lintas routes nothing near that, so it keeps its own 1 MiB. */
const fspiopBodyBytesMax = 1024 * 1024;

class FspiopError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorInformation,
  ) {
    super(body.errorInformation.errorDescription);
  }
}

const fail = (status: number, code: FspiopErrorCode, detail?: string) =>
  new FspiopError(status, errorInformationOf(code, detail));

declare module 'fastify' {
  interface FastifyRequest {
    fspiopSource?: Dfsp;
  }
}

function sourceOf(request: FastifyRequest): Dfsp {
  invariant(request.fspiopSource, `${request.method} ${request.url} was admitted with its FSPIOP source`);
  return request.fspiopSource;
}

function forwardedOf(request: FastifyRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const name of forwardedHeaders) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

const versionOf = (request: FastifyRequest) => senderVersionOf(headerOf(request, 'content-type'));

/** What of a DFSP's message goes on with it: its end-to-end headers and its version. */
const relayedOf = (request: FastifyRequest) => ({ forwarded: forwardedOf(request), version: versionOf(request) });

/** The version checks FSPIOP asks of a server: a known content type and an acceptable Accept. */
function checkVersions(request: FastifyRequest): void {
  const contentType = parseContentType(headerOf(request, 'content-type'));
  if (request.method !== 'GET' && request.method !== 'DELETE') {
    if (!contentType) throw fail(400, '3100', 'Content-Type is not an FSPIOP content type');
    if (!acceptedVersions.includes(contentType.version)) throw fail(406, '3001', `version ${contentType.version}`);
  }
  const accept = headerOf(request, 'accept');
  if (accept === undefined) return;
  const accepted = parseContentType(accept.split(',')[0]?.trim());
  if (accepted && !acceptedVersions.includes(accepted.version)) throw fail(406, '3001', `version ${accepted.version}`);
}

async function admit(ctx: HubContext, request: FastifyRequest): Promise<void> {
  const path = (request.url.split('?')[0] ?? '').slice(fspiopBasePath.length);
  if (templateOf(path) === undefined) throw fail(404, '3002', `${request.method} ${path}`);
  checkVersions(request);
  const method = request.method.toLowerCase() as FspiopMethod;
  const violations = violationsOf({
    method,
    path,
    headers: request.headers as Record<string, string>,
    body: request.body,
  });
  if (violations.length > 0) throw fail(400, '3100', describeViolations(violations));
  const source = await service.sourceDfsp(ctx, headerOf(request, 'fspiop-source'));
  if (!source) throw fail(400, '3200', `FSPIOP-Source ${headerOf(request, 'fspiop-source')} is no active DFSP`);
  if (source.jwsPublicKey !== null) {
    const message = { method: request.method, path, headers: request.headers, rawBody: request.rawBody };
    const refusal = await signatureRefusal(source.jwsPublicKey, message);
    if (refusal) throw fail(400, '3105', refusal);
  }
  request.fspiopSource = source;
}

function answer(error: FastifyError | FspiopError, reply: FastifyReply, ctx: HubContext): FastifyReply {
  if (error instanceof FspiopError) return reply.code(error.status).send(error.body);
  if (error.statusCode === 400 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.code(400).send(errorInformationOf('3101', error.message));
  }
  if (error.statusCode === 413) return reply.code(413).send(errorInformationOf('3100', 'the body is too large'));
  ctx.logger.error({ err: error }, 'fspiop request failed');
  return reply.code(500).send(errorInformationOf('2001'));
}

type PartyParams = { Type: string; ID: string; SubId?: string };
const partyKeyOf = (params: PartyParams): PartyKey => ({ type: params.Type, id: params.ID, subId: params.SubId ?? '' });

function partyRoutes(scope: FastifyInstance, ctx: HubContext, payments: PaymentService): void {
  for (const suffix of ['', '/:SubId']) {
    scope.post<{ Params: PartyParams; Body: { fspId: string; currency?: string } }>(
      `/participants/:Type/:ID${suffix}`,
      async (request, reply) => {
        await service.addParty(ctx, sourceOf(request), partyKeyOf(request.params), request.body);
        return reply.code(202).send();
      },
    );
    scope.get<{ Params: PartyParams }>(`/participants/:Type/:ID${suffix}`, async (request, reply) => {
      await service.findPartyOwner(ctx, sourceOf(request), partyKeyOf(request.params));
      return reply.code(202).send();
    });
    scope.delete<{ Params: PartyParams }>(`/participants/:Type/:ID${suffix}`, async (request, reply) => {
      await service.removeParty(ctx, sourceOf(request), partyKeyOf(request.params));
      return reply.code(202).send();
    });
    scope.get<{ Params: PartyParams }>(`/parties/:Type/:ID${suffix}`, async (request, reply) => {
      const key = partyKeyOf(request.params);
      if (isHubParty(key)) await lookUpMerchant(ctx, payments, sourceOf(request), key);
      else await service.lookUpParty(ctx, sourceOf(request), key, relayedOf(request));
      return reply.code(202).send();
    });
    for (const end of ['', '/error']) {
      scope.put<{ Params: PartyParams }>(`/parties/:Type/:ID${suffix}${end}`, async (request, reply) => {
        const path = (request.url.split('?')[0] ?? '').slice(fspiopBasePath.length);
        await passOn(ctx, request, {
          method: 'put',
          resource: 'parties',
          path,
          errorPath: path.replace(/\/error$/, ''),
        });
        return reply.code(200).send();
      });
    }
  }
}

async function passOn(
  ctx: HubContext,
  request: FastifyRequest,
  message: { method: 'get' | 'post' | 'put'; resource: 'parties' | 'quotes'; path: string; errorPath: string },
): Promise<void> {
  const destination = headerOf(request, 'fspiop-destination') ?? '';
  await service.forward(ctx, sourceOf(request), {
    ...message,
    destination,
    body: request.body,
    version: versionOf(request),
    forwarded: forwardedOf(request),
  });
}

function quoteRoutes(scope: FastifyInstance, ctx: HubContext, payments: PaymentService): void {
  scope.post<{ Body: Parameters<typeof quoteMerchant>[3] }>('/quotes', async (request, reply) => {
    const errorPath = `/quotes/${request.body.quoteId}`;
    if (headerOf(request, 'fspiop-destination') === hubFspId) {
      await quoteMerchant(ctx, payments, sourceOf(request), request.body);
    } else {
      await passOn(ctx, request, { method: 'post', resource: 'quotes', path: '/quotes', errorPath });
    }
    return reply.code(202).send();
  });
  scope.get<{ Params: { ID: string } }>('/quotes/:ID', async (request, reply) => {
    const path = `/quotes/${request.params.ID}`;
    await service.forward(ctx, sourceOf(request), {
      method: 'get',
      resource: 'quotes',
      path,
      errorPath: path,
      destination: headerOf(request, 'fspiop-destination') ?? '',
      version: versionOf(request),
      forwarded: forwardedOf(request),
    });
    return reply.code(202).send();
  });
  for (const end of ['', '/error']) {
    scope.put<{ Params: { ID: string }; Body: outbound.QuoteAnswer & outbound.QuoteError }>(
      `/quotes/:ID${end}`,
      async (request, reply) => {
        const path = `/quotes/${request.params.ID}${end}`;
        if (headerOf(request, 'fspiop-destination') === hubFspId) {
          // The answer to a quote the hub asked for a Lintas wallet (the definition checked its body).
          const answered = end === '' ? outbound.quoteAnswered : outbound.quoteRefused;
          await answered(ctx, sourceOf(request), request.params.ID, request.body);
          return reply.code(200).send();
        }
        await passOn(ctx, request, {
          method: 'put',
          resource: 'quotes',
          path,
          errorPath: `/quotes/${request.params.ID}`,
        });
        return reply.code(200).send();
      },
    );
  }
}

function transferRoutes(scope: FastifyInstance, ctx: HubContext, payments: PaymentService): void {
  scope.post<{ Body: transfers.TransferPrepare }>('/transfers', async (request, reply) => {
    if (request.body.payeeFsp === hubFspId) await payMerchant(ctx, payments, sourceOf(request), request.body);
    else await transfers.prepareTransfer(ctx, sourceOf(request), request.body, relayedOf(request));
    return reply.code(202).send();
  });
  scope.get<{ Params: { ID: string } }>('/transfers/:ID', async (request, reply) => {
    await transfers.getTransfer(ctx, sourceOf(request), request.params.ID);
    return reply.code(202).send();
  });
  scope.put<{ Params: { ID: string }; Body: transfers.TransferFulfil }>('/transfers/:ID', async (request, reply) => {
    await transfers.fulfilTransfer(ctx, sourceOf(request), request.params.ID, request.body, relayedOf(request));
    return reply.code(200).send();
  });
  scope.put<{ Params: { ID: string }; Body: { errorInformation: { errorCode: string; errorDescription: string } } }>(
    '/transfers/:ID/error',
    async (request, reply) => {
      await transfers.rejectTransfer(ctx, sourceOf(request), request.params.ID, request.body, relayedOf(request));
      return reply.code(200).send();
    },
  );
}

const vendorContentType = /^application\/vnd\.interoperability\.[a-zA-Z]+\+json/;

export function fspiopRoutes(app: App, ctx: HubContext, payments: PaymentService): void {
  void app.register(
    async (scope: FastifyInstance) => {
      scope.addContentTypeParser(
        vendorContentType,
        { parseAs: 'buffer', bodyLimit: fspiopBodyBytesMax },
        (request: FastifyRequest, body: Buffer, done) => {
          request.rawBody = body;
          if (body.length === 0) return done(null, undefined);
          try {
            done(null, JSON.parse(body.toString('utf8')));
          } catch (error) {
            done(fail(400, '3101', (error as Error).message));
          }
        },
      );
      scope.setErrorHandler((error: FastifyError | FspiopError, _request, reply) => answer(error, reply, ctx));
      scope.setNotFoundHandler((request, reply) =>
        reply.code(404).send(errorInformationOf('3002', `${request.method} ${request.url.split('?')[0]}`)),
      );
      scope.addHook('preHandler', async (request) => admit(ctx, request));
      // The FSPIOP definition documents these routes (src/fspiop/vendor), not the hub's own OpenAPI document.
      scope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      partyRoutes(scope, ctx, payments);
      quoteRoutes(scope, ctx, payments);
      transferRoutes(scope, ctx, payments);
    },
    { prefix: fspiopBasePath },
  );
}
