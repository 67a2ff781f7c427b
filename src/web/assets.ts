import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pageNames from '../../web/pages.json' with { type: 'json' };

/** Where `npm install` (scripts/build-pages.mjs) put the pages, seen from the sources or from the hub's bundle. */
const pagesDir = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? './pages/' : '../../dist/pages/', import.meta.url),
);

/** A page's built files: its module script, the scripts it imports (preloaded) and its style sheets. */
export type PageAssets = { script: string; preloads: string[]; styles: string[] };

type ManifestChunk = { file: string; imports?: string[]; css?: string[] };

export type PageName = 'checkout' | 'share' | 'home' | 'wallet' | 'till' | 'shop';

/**
 * Vite's manifest, read once: a hub serves the pages it was started with. Undefined when the pages were
 * never built (a checkout without `npm install`): the page then says how to build them.
 */
export function loadPageAssets(): Record<PageName, PageAssets> | undefined {
  const manifestFile = join(pagesDir, '.vite', 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
  const assetsOf = (source: string): PageAssets => {
    const entry = manifest[source];
    if (!entry) throw new Error(`dist/pages/.vite/manifest.json has no ${source}: run npm run build`);
    const preloads: string[] = [];
    const styles = new Set(entry.css ?? []);
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || preloads.includes(`/${chunk.file}`)) return;
      preloads.push(`/${chunk.file}`);
      for (const sheet of chunk.css ?? []) styles.add(sheet);
      for (const next of chunk.imports ?? []) visit(next);
    };
    for (const key of entry.imports ?? []) visit(key);
    return { script: `/${entry.file}`, preloads, styles: [...styles].map((sheet) => `/${sheet}`) };
  };
  // web/pages.json names each page once, for Vite's entries and for this.
  const names = pageNames as PageName[];
  return Object.fromEntries(names.map((name) => [name, assetsOf(`web/pages/${name}/main.tsx`)])) as Record<
    PageName,
    PageAssets
  >;
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A built file by its hashed name, or undefined: the name is checked, so no path leaves the assets folder. */
export function readAsset(name: string): { body: Buffer; contentType: string } | undefined {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) return undefined;
  const file = join(pagesDir, 'assets', name);
  const contentType = contentTypes[extname(name)];
  if (!contentType || !existsSync(file)) return undefined;
  return { body: readFileSync(file), contentType };
}
