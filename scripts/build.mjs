#!/usr/bin/env node
// The production build, run by `npm install` (prepare): the hub's TypeScript bundled by esbuild into one
// ES module, dist/lintas.mjs. bin/lintas.mjs runs it while it is
// newer than every source file, so a hub in production starts without compiling TypeScript, and a
// developer's edit is never hidden by an old build (tsx runs the sources until the next build).
import { build } from 'esbuild';

const started = performance.now();
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/lintas.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Pure JavaScript packages are bundled (one file loads faster than kysely's or typebox's hundreds);
  // packages that read their own files at run time (fonts, static pages, worker scripts) or are native
  // addons stay in node_modules.
  external: [
    'better-sqlite3',
    'pg',
    'pdfkit',
    'pino',
    'pino-pretty',
    '@fastify/swagger-ui',
    'playwright-core',
    'tsx',
    'undici',
  ],
  banner: {
    js: "import { createRequire as __lintasRequire } from 'node:module'; const require = __lintasRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
  // `lintas bench` is a developer's tool that runs from the sources (bin/lintas.mjs sends it there), and its
  // test helpers (a browser among them) have no place in the hub that is deployed.
  plugins: [
    {
      name: 'bench-stays-out',
      setup(builder) {
        builder.onResolve({ filter: /\/bench\/index\.ts$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});
console.log(`built dist/lintas.mjs in ${Math.round(performance.now() - started)} ms`);
