const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

/** Server-rendered demo pages: plain forms, no script. */
export function demoPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:520px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}
button{font:inherit;border:0;background:#1d4ed8;color:#fff;border-radius:8px;padding:8px 14px;cursor:pointer}
textarea{width:100%;min-height:90px;font-family:monospace}.muted{color:#667}.ok{color:#047857}.bad{color:#b91c1c}
a{color:#1d4ed8}code{word-break:break-all}
a.button{display:inline-block;background:#1d4ed8;color:#fff;border-radius:8px;padding:8px 14px;text-decoration:none}
</style></head><body><main>${body}</main></body></html>`;
}

export const demoPageCsp =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
