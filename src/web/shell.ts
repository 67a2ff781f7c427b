import { currencies } from '../money/index.ts';
import { type Language, catalogues } from '../../web/shared/i18n.ts';
import type { PageAssets } from './assets.ts';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);

/** Minor-unit exponents for the browser: it shows amounts, the API counts them. */
const exponents = Object.fromEntries(currencies.map((currency) => [currency.alpha, currency.exponent]));

/**
 * Every page's policy: scripts and style sheets only from the hub's own hashed files, no inline script or
 * style, pictures from the hub or data: URLs (the QR codes), calls to the hub's API alone.
 */
export const pageContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a link preview shows (Open Graph, Twitter card): the page's own words, already in its language. */
export type Preview = { title: string; description: string; url: string };

function previewTags(preview: Preview | undefined): string {
  if (!preview) return '';
  const tags: [string, string, string][] = [
    ['property', 'og:type', 'website'],
    ['property', 'og:title', preview.title],
    ['property', 'og:description', preview.description],
    ['property', 'og:url', preview.url],
    ['property', 'og:site_name', 'Lintas'],
    ['name', 'twitter:card', 'summary'],
    ['name', 'twitter:title', preview.title],
    ['name', 'twitter:description', preview.description],
    ['name', 'description', preview.description],
  ];
  return tags.map(([kind, name, value]) => `<meta ${kind}="${name}" content="${escapeHtml(value)}">`).join('\n');
}

/**
 * A page's HTML: its script draws it in the browser; the hub writes only the language it chose, the title
 * and preview in that language, and the boot data (a JSON block, which runs nothing).
 */
export function renderShell(assets: PageAssets, page: { language: Language; title: string; preview?: Preview }) {
  const boot = JSON.stringify({ language: page.language, exponents }).replace(/</g, '\\u003c');
  const styles = assets.styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('');
  const preloads = assets.preloads.map((href) => `<link rel="modulepreload" href="${href}">`).join('');
  return `<!doctype html>
<html lang="${page.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${previewTags(page.preview)}
${styles}${preloads}
<script type="module" src="${assets.script}"></script>
</head><body><div id="app"></div>
<script type="application/json" id="boot">${boot}</script>
<noscript>${escapeHtml(catalogues[page.language]['common.noScript'])}</noscript>
</body></html>`;
}
