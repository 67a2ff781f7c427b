import { cryptoRandom } from '../platform/index.ts';
import { currencies } from '../money/index.ts';

/** Minor-unit exponents for the browser: it shows amounts, the API counts them. */
const exponentsJson = JSON.stringify(
  Object.fromEntries(currencies.map((currency) => [currency.alpha, currency.exponent])),
);

const styles = `
  :root { color-scheme: light; font-family: system-ui, sans-serif; }
  body { margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 440px; margin: 0 auto; padding: 24px 16px; }
  .card { background: #fff; border-radius: 12px; padding: 20px; box-shadow: 0 1px 3px rgba(0,0,0,.08);
    margin-bottom: 16px; }
  h1 { font-size: 1.1rem; margin: 0 0 4px; } .muted { color: #667; font-size: .9rem; }
  .amount { font-size: 2rem; font-weight: 600; margin: 12px 0; }
  .method { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 12px 0;
    border-top: 1px solid #eee; }
  .method .name { flex: 1 1 100%; font-weight: 600; } .badge { font-size: .75rem; background: #e7f0ff; color: #1d4ed8;
    border-radius: 6px; padding: 2px 6px; margin-left: 6px; }
  button, a.button { font: inherit; border: 1px solid #1d4ed8; background: #fff; color: #1d4ed8; border-radius: 8px;
    padding: 6px 12px; cursor: pointer; text-decoration: none; }
  button.primary, a.primary { background: #1d4ed8; color: #fff; }
  #result svg, .qr svg { width: 220px; height: 220px; display: block; margin: 12px auto; }
  .status { font-weight: 600; } .paid { color: #047857; } .closed { color: #b91c1c; }
  table { width: 100%; border-collapse: collapse; font-size: .9rem; } td { padding: 4px 0;
    } td:last-child { text-align: right; }
  summary { cursor: pointer; padding: 12px 0; font-weight: 600; }
`;

/** A whole page; its one inline script runs under a per-response nonce. */
export function page(title: string, body: string, script: string): { html: string; csp: string } {
  const nonce = cryptoRandom.bytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style nonce="${nonce}">${styles}</style></head>
<body><main>${body}</main>
<script nonce="${nonce}">const exponents = ${exponentsJson};
function formatAmount(amount, currency) {
  const exponent = exponents[currency] ?? 2;
  const format = { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  return new Intl.NumberFormat(undefined, format).format(amount / 10 ** exponent);
}
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}
function svgNode(markup) {
  return new DOMParser().parseFromString(markup, 'image/svg+xml').documentElement;
}
${script}</script></body></html>`;
  const csp =
    `default-src 'none'; connect-src 'self'; img-src 'self' data:; style-src 'nonce-${nonce}'; ` +
    `script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { html, csp };
}
