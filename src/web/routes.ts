import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type Language, languageOfAcceptLanguage, locales, matchLanguage, translator } from '../../web/shared/i18n.ts';
import { formatAmount } from '../../web/shared/money.ts';
import { readShare } from '../checkout/index.ts';
import type { HubContext } from '../context.ts';
import type { App } from '../http/index.ts';
import { currencyByAlpha } from '../money/index.ts';
import { type PageAssets, type PageName, loadPageAssets, readAsset } from './assets.ts';
import { faviconIco, faviconSvg } from './favicon.ts';
import { type Preview, pageContentSecurityPolicy, renderShell } from './shell.ts';

/** The language a page opens in: a `?lang=` link first, then the browser's Accept-Language. */
function languageOf(request: FastifyRequest): Language {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  const chosen = typeof asked === 'string' ? matchLanguage(asked) : undefined;
  return chosen ?? languageOfAcceptLanguage(request.headers['accept-language']);
}

function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', pageContentSecurityPolicy)
    .header('cache-control', 'no-store')
    .header('vary', 'accept-language')
    .send(html);
}

const notBuilt =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pages not built</title></head>' +
  '<body><main><h1>The pages are not built</h1><p>Run <code>npm run build</code> and start the hub again.</p>' +
  '</main></body></html>';

/** A friend-pay link's preview, in the language asked: merchant, amount, and the requester's note. */
async function sharePreview(ctx: HubContext, token: string, language: Language): Promise<Preview | undefined> {
  const shared = await readShare(ctx, token);
  if (!shared) return undefined;
  const t = translator(language);
  const exponent = currencyByAlpha(shared.currency)?.exponent ?? 2;
  const amount = formatAmount(shared.amount, shared.currency, exponent, locales[language]);
  const merchant = `${shared.merchant.name}, ${shared.merchant.city}`;
  return {
    title: t('share.previewTitle', { amount, merchant }),
    description: shared.note || t('share.previewBody'),
    url: `${ctx.config.publicUrl}/share/${encodeURIComponent(token)}`,
  };
}

type PageWords = (request: FastifyRequest, language: Language) => Promise<{ title: string; preview?: Preview }>;
type PageHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** The built pages, read once per process: the hub serves the build it started with. */
let built: ReturnType<typeof loadPageAssets> | null = null;
function builtPages() {
  if (built === null) built = loadPageAssets();
  return built;
}

/** A route handler answering one built page, in the language the request asks for. */
export function pageHandler(name: PageName, words: PageWords): PageHandler {
  return async (request, reply) => {
    const assets: PageAssets | undefined = builtPages()?.[name];
    if (!assets) return sendPage(reply, notBuilt, 503);
    const language = languageOf(request);
    return sendPage(reply, renderShell(assets, { language, ...(await words(request, language)) }));
  };
}

/** A page's words when it has no more to say than its title. */
export const titled =
  (key: 'page.home' | 'page.checkout' | 'page.share' | 'page.wallet' | 'page.till' | 'page.shop'): PageWords =>
  async (_request, language) => ({ title: translator(language)(key) });

/** The pages buyers and their friends open; they hold no data until their script asks the API. */
export function webRoutes(app: App, ctx: HubContext): void {
  const hidden = { hide: true };
  const page = pageHandler;
  app.get('/', { schema: hidden }, page('home', titled('page.home')));
  app.get('/till', { schema: hidden }, page('till', titled('page.till')));
  app.get(
    '/checkout/:id',
    { schema: { ...hidden, params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } },
    page('checkout', titled('page.checkout')),
  );
  app.get(
    '/share/:token',
    { schema: { ...hidden, params: Type.Object({ token: Type.String({ maxLength: 64 }) }) } },
    page('share', async (request, language) => {
      const preview = await sharePreview(ctx, (request.params as { token: string }).token, language);
      return { title: preview?.title ?? translator(language)('page.share'), ...(preview ? { preview } : {}) };
    }),
  );
  assetRoutes(app);
}

/** The built files, named by their content's hash: a browser keeps each for a year and never asks twice. */
function assetRoutes(app: App): void {
  const hidden = { hide: true };
  app.get(
    '/assets/:name',
    { schema: { ...hidden, params: Type.Object({ name: Type.String({ maxLength: 128 }) }) } },
    async (request, reply) => {
      const asset = readAsset(request.params.name);
      if (!asset) return reply.callNotFound();
      return reply
        .header('content-type', asset.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(asset.body);
    },
  );
  const icon = (body: string | Buffer, contentType: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.header('content-type', contentType).header('cache-control', 'public, max-age=86400').send(body);
  app.get('/favicon.ico', { schema: hidden }, icon(faviconIco, 'image/x-icon'));
  app.get('/favicon.svg', { schema: hidden }, icon(faviconSvg, 'image/svg+xml'));
}
