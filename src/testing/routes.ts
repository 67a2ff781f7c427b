import type { App } from '../http/index.ts';

/** `METHOD /path/{param}` for every route Fastify serves, read from its route tree; HEAD mirrors GET. */
export function servedRoutes(app: App): string[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    const path = `${stack.join('')}${match[2]}`;
    stack.push(match[2] as string);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method === 'HEAD') continue;
      routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}

/** The routes served beside the API that are not its operations: probes, the document itself, the pages. */
export const pageRoutes: readonly string[] = [
  'GET /health',
  'GET /ready',
  'GET /metrics',
  'GET /openapi.json',
  'GET /',
  'GET /till',
  'GET /checkout/{id}',
  'GET /share/{token}',
  'GET /assets/{name}',
  'GET /favicon.ico',
  'GET /favicon.svg',
];

/** The API reference page and what it loads. */
export const isDocsRoute = (route: string): boolean => /^[A-Z]+ \/docs/.test(route);
