import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
const manifest = join(root, 'dist/pages/.vite/manifest.json');

function newestMs(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The pages as `npm install` builds them, rebuilt first when web/ changed since: a hub reads the build
 * when it starts, so a test of the pages calls this before its hub.
 */
export function ensurePagesBuilt(): void {
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= newestMs(join(root, 'web'))) return;
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--pages'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the pages failed:\n${built.stdout}${built.stderr}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's findings on the page as it is now (WCAG 2.1 A and AA and best practices), one line each.
 * It is evaluated through the browser's debugging protocol, so the page's CSP (no inline script) stays as
 * it is served.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((v) => " +
      "v.impact + ' ' + v.id + ': ' + v.nodes.map((node) => node.target.join(' ')).join(', ')))",
  )) as string[];
  return found;
}

/** Console errors, failed requests and CSP violations a page has had since this was called. */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`error: ${error.message}`));
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (event) => " +
      "console.error('CSP ' + event.violatedDirective + ' ' + event.blockedURI));",
  );
  return problems;
}

/** How much wider than the window the page is (0 when it fits). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
}

/** A folder for a test's screenshots, emptied as the run starts and kept after it (under .tmp/, which git ignores). */
export function screenshotFolder(name: string): { folder: string; shoot: (page: Page, step: string) => Promise<void> } {
  const folder = join(root, '.tmp', 'screenshots', name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  let count = 0;
  return {
    folder,
    shoot: async (page, step) => {
      count += 1;
      await page.screenshot({ path: join(folder, `${String(count).padStart(2, '0')}-${step}.png`), fullPage: true });
    },
  };
}

/**
 * English words left on a page: each English message's fixed words of five letters or more, unless the
 * page's language writes them the same ("Total" in Indonesian). The catalogues are the caller's (web/).
 */
export function englishLeft(
  text: string,
  catalogues: { english: Record<string, string>; own: Record<string, string> },
): string[] {
  const split = (message: string) => message.split(/\{\w+\}/).map((part) => part.trim());
  const own = new Set(Object.values(catalogues.own).flatMap(split));
  const fragments = new Set(Object.values(catalogues.english).flatMap(split));
  return [...fragments].filter((part) => /[a-z]{5}/i.test(part) && !own.has(part) && text.includes(part));
}
