// The hosted pages (web/): Preact components bundled by Vite into hashed files under dist/pages/assets/, with
// a manifest (dist/pages/.vite/manifest.json) from which the hub writes each page's <script> and <link>. The
// hub renders the HTML itself (its language, its Open Graph tags, its Content-Security-Policy), so the entries
// are scripts, not HTML files.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each page of web/pages.json is the script web/pages/<name>/main.tsx; the hub finds it in the manifest so. */
const pageNames = JSON.parse(readFileSync(new URL('../web/pages.json', import.meta.url), 'utf8'));
const pageEntries = Object.fromEntries(pageNames.map((name) => [name, `web/pages/${name}/main.tsx`]));

/**
 * Built beside dist/pages and then moved in its place, so a hub starting meanwhile (tests build the pages
 * when web/ changed) never reads half a build.
 */
export async function buildPages() {
  const started = performance.now();
  const building = `dist/pages-${process.pid}`;
  await build({
    configFile: false,
    root,
    base: '/',
    logLevel: 'warn',
    plugins: [preact()],
    build: {
      outDir: building,
      emptyOutDir: true,
      manifest: true,
      target: 'es2022',
      sourcemap: true,
      rolldownOptions: { input: pageEntries },
    },
  });
  rmSync(`${root}dist/pages`, { recursive: true, force: true });
  renameSync(`${root}${building}`, `${root}dist/pages`);
  console.log(`built dist/pages in ${Math.round(performance.now() - started)} ms`);
}
