import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import type { App, CallerType } from '../http/index.ts';
import { invariant } from '../platform/index.ts';
import { type RouteCatalogue, completeDocument } from './document.ts';
import type { ProblemCatalogue } from './operations.ts';
import type { RouteFacts } from './problems.ts';
import { referencePageOptions } from './reference-page.ts';

export type ApiDocs = {
  /** Routes registered inside `run` are the capability `name`'s, for the problems it may answer. */
  during(name: string, run: () => void): void;
};

function pathOf(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

/**
 * The OpenAPI document of every route at `/openapi.json`, and the reference
 * page at `/docs`. Registered before any route, so that its `onRoute` hook
 * sees each one with its configuration and the capability registering it.
 */
export async function registerApiDocs(
  app: App,
  options: { publicUrl: string; version: string; problems: ProblemCatalogue },
): Promise<ApiDocs> {
  const routes = new Map<string, RouteFacts>();
  let capability: string | undefined;
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { auth?: readonly CallerType[]; idempotent?: unknown };
    for (const method of methods)
      routes.set(`${method} ${pathOf(route.url)}`, {
        method,
        path: pathOf(route.url),
        auth: config.auth ?? [],
        idempotent: config.idempotent !== undefined,
        capability,
      });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lintas hub',
        version: options.version,
        description:
          "Open payment interconnection switch. Integrators: start with the guides in the repository's `docs/` " +
          '(concepts, merchant, participant, operator); every problem code is in `docs/problems.md`.',
      },
      servers: [{ url: options.publicUrl }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`) },
    transformObject: (made) => {
      invariant('openapiObject' in made, 'the document is OpenAPI 3');
      const document = made.openapiObject as unknown as Parameters<typeof completeDocument>[0];
      return completeDocument(document, routes as RouteCatalogue, options.problems) as typeof made.openapiObject;
    },
  });
  await app.register(swaggerUi, referencePageOptions);
  return {
    during(name, run) {
      capability = name;
      try {
        run();
      } finally {
        capability = undefined;
      }
    },
  };
}
