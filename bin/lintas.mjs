#!/usr/bin/env node
// The published entry point. It runs the build (dist/lintas.mjs, made by `npm install`) while that is newer
// than every TypeScript source, so a hub starts without compiling; otherwise the sources run through tsx's
// loader, so an edit is never hidden by an old build.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/lintas.mjs`;

function newestSourceMs(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  try {
    const builtMs = statSync(built).mtimeMs;
    // web/shared is bundled into the hub too (the pages' languages and amount formatter, for titles and previews).
    return ['src', 'bench', 'web'].every((folder) => builtMs >= newestSourceMs(`${root}${folder}`));
  } catch {
    return false;
  }
}

// Benchmarks are developers' tools and run from the sources, which they import.
const fromSources = process.env.LINTAS_FROM_SOURCES === '1' || process.argv[2] === 'bench';
if (!fromSources && builtIsCurrent()) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
