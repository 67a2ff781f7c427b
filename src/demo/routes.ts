import { createPrivateKey, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HubContext } from '../context.ts';
import { type App, signResponse } from '../http/index.ts';
import { currencyByAlpha, formatDecimalAmount, minor } from '../money/index.ts';
import { type DemoResponse, bearerCall, signedCall } from './client.ts';
import { demoPage, demoPageCsp, escapeHtml } from './html.ts';
import type { DemoState, DemoWallet } from './state.ts';

type Form = Record<string, string>;

function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', demoPageCsp)
    .send(html);
}

function money(amount: number, currency: string): string {
  return currencyByAlpha(currency)
    ? `${currency} ${formatDecimalAmount(minor(amount), currency)}`
    : `${amount} ${currency}`;
}

function indexPage(state: DemoState): string {
  const wallets = state.wallets
    .map(
      (wallet) =>
        `<li><a href="/wallet/${wallet.slug}">${escapeHtml(wallet.name)}</a> — open its app ` +
        `(<a href="/demo/wallets/${wallet.slug}">without script</a>)</li>`,
    )
    .join('');
  return demoPage(
    'Lintas demo',
    `<div class="card"><h1>Lintas demo</h1>
<p class="muted">${escapeHtml(state.merchant.name)} sells tea. Its acquirer is Lintas Pay;
Beta Wallet approved it, Gamma Wallet is still reviewing its application.</p>
<p><a href="/shop">Open the shop</a>, or buy at once:</p>
<form method="post" action="/demo/checkouts"><button>Buy 2 × Oolong tea (CNY 129.90)</button></form></div>
<div class="card"><h2>Wallet apps</h2><ul>${wallets}</ul>
<p class="muted">A deep link from the checkout opens the wallet's app here;
each app can also take a scanned QR payload.</p></div>
<div class="card"><p class="muted">API reference at <a href="/docs">/docs</a>.</p></div>`,
  );
}

function walletHome(wallet: DemoWallet, note = ''): string {
  return demoPage(
    wallet.name,
    `<div class="card">
<h1>${escapeHtml(wallet.name)}</h1>${note}<form method="post" action="/demo/wallets/${wallet.slug}/scan">
<p><label for="qr-payload">Paste a scanned QR payload:</label></p>
<textarea id="qr-payload" name="qrPayload" required></textarea><p><button>Scan</button></p></form>
</div><p><a href="/demo">Back to the demo</a></p>`,
  );
}

function confirmPage(wallet: DemoWallet, request: any): string {
  const amount = request.amount === null ? '' : money(request.amount, request.currency);
  return demoPage(
    `${wallet.name}: pay`,
    `<div class="card"><div class="muted">${escapeHtml(wallet.name)} asks you to approve</div>
<h1>${escapeHtml(request.merchant.name)}, ${escapeHtml(request.merchant.city)}</h1>
<p style="font-size:1.6rem">${escapeHtml(amount)}</p><p class="muted">Order ${escapeHtml(request.reference ?? '')}</p>
<form method="post" action="/demo/wallets/${wallet.slug}/pay">
<input type="hidden" name="paymentToken" value="${escapeHtml(request.paymentToken)}">
<input type="hidden" name="amount" value="${escapeHtml(String(request.amount))}">
<input type="hidden" name="currency" value="${escapeHtml(request.currency)}">
<button>Approve payment</button></form></div>`,
  );
}

/** Approved: the wallet's receipt, and the way back to where the buyer came from (the hub's `returnUrl`). */
function paidPage(wallet: DemoWallet, transfer: any, returnUrl: string | undefined): string {
  const back = returnUrl
    ? `<p><a class="button" id="back" href="${escapeHtml(returnUrl)}">Back to the shop</a></p>`
    : `<p><a href="/demo/wallets/${wallet.slug}">Back to ${escapeHtml(wallet.name)}</a></p>`;
  return demoPage(
    `${wallet.name}: paid`,
    `<div class="card"><h1>${escapeHtml(wallet.name)}</h1>
<p class="ok">Paid ${escapeHtml(money(transfer.amount, transfer.currency))}. Receipt number
<code>${escapeHtml(transfer.receiptNumber)}</code>.</p>${back}</div>`,
  );
}

function problemNote(body: any): string {
  return `<p class="bad">${escapeHtml(body?.title ?? 'Refused')}: ${escapeHtml(body?.detail ?? '')}</p>`;
}

/** A tiny wallet app and shop front for trying the hub in a browser; it calls the hub's API like anyone else. */
export function demoRoutes(stateOf: () => DemoState | undefined, hubUrl: () => string) {
  return (app: App, _ctx: HubContext): void => {
    void app.register(async (scope: FastifyInstance) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });
      const walletOf = (slug: string) => stateOf()?.wallets.find((wallet) => wallet.slug === slug);
      // Where each resolved payment sends the buyer back, as the hub said on resolve: kept here rather than in
      // the form, so a posted form cannot point the "back" button anywhere else.
      const returnUrls = new Map<string, string>();
      const confirm = (wallet: DemoWallet, resolved: DemoResponse) => {
        if (resolved.status !== 200) return walletHome(wallet, problemNote(resolved.body));
        if (resolved.body.returnUrl) returnUrls.set(resolved.body.paymentToken, resolved.body.returnUrl);
        return confirmPage(wallet, resolved.body);
      };
      const hide = { schema: { hide: true } };

      scope.get('/demo', hide, async (_request, reply) => {
        const state = stateOf();
        return state
          ? sendHtml(reply, indexPage(state))
          : sendHtml(reply, demoPage('Lintas demo', '<p>The demo is being set up; reload in a moment.</p>'), 503);
      });
      scope.post('/demo/checkouts', hide, async (_request, reply) => {
        const state = stateOf();
        if (!state) return reply.callNotFound();
        const created = await bearerCall(hubUrl(), state.merchant.secretKey)('POST', '/v1/checkouts', {
          amount: 12_990,
          currency: 'CNY',
          reference: `demo-${randomUUID().slice(0, 8)}`,
          buyerId: `demo-buyer-${randomUUID().slice(0, 4)}`,
          lines: [
            {
              kind: 'product',
              sku: 'TEA-OOLONG',
              name: 'Oolong tea',
              category: 'grocery',
              quantity: 2,
              unitAmount: 5_000,
            },
            { kind: 'shipping', name: 'Courier', quantity: 1, unitAmount: 2_990 },
          ],
          returnUrl: `${hubUrl()}/demo`,
        });
        return created.status === 201
          ? reply.redirect(created.body.hostedUrl, 303)
          : sendHtml(reply, demoPage('Checkout failed', problemNote(created.body)), 502);
      });
      scope.get<{ Params: { slug: string } }>('/demo/wallets/:slug', hide, async (request, reply) => {
        const wallet = walletOf(request.params.slug);
        return wallet ? sendHtml(reply, walletHome(wallet)) : reply.callNotFound();
      });
      scope.get<{ Params: { slug: string }; Querystring: { token?: string } }>(
        '/demo/wallets/:slug/pay',
        hide,
        async (request, reply) => {
          const wallet = walletOf(request.params.slug);
          if (!wallet) return reply.callNotFound();
          const resolved = await signedCall(hubUrl(), wallet)('POST', '/v1/payment-requests/resolve', {
            token: request.query.token ?? '',
          });
          return sendHtml(reply, confirm(wallet, resolved));
        },
      );
      scope.post<{ Params: { slug: string }; Body: Form }>('/demo/wallets/:slug/scan', hide, async (request, reply) => {
        const wallet = walletOf(request.params.slug);
        if (!wallet) return reply.callNotFound();
        const resolved = await signedCall(hubUrl(), wallet)('POST', '/v1/payment-requests/resolve', {
          qrPayload: (request.body?.qrPayload ?? '').trim(),
        });
        return sendHtml(reply, confirm(wallet, resolved));
      });
      scope.post<{ Params: { slug: string }; Body: Form }>('/demo/wallets/:slug/pay', hide, async (request, reply) => {
        const wallet = walletOf(request.params.slug);
        if (!wallet) return reply.callNotFound();
        const form = request.body ?? {};
        const paid = await signedCall(hubUrl(), wallet)('POST', '/v1/transfers', {
          paymentToken: form.paymentToken,
          amount: Number(form.amount),
          currency: form.currency,
          payer: { ref: `${wallet.slug}-${randomUUID()}` },
        });
        if (paid.status !== 201) return sendHtml(reply, walletHome(wallet, problemNote(paid.body)));
        const returnUrl = returnUrls.get(String(form.paymentToken));
        returnUrls.delete(String(form.paymentToken));
        return sendHtml(reply, paidPage(wallet, paid.body, returnUrl));
      });
      walletCallbackRoutes(scope, walletOf, hide);
    });
  };
}

/** A demo wallet's callbacks: events are taken, and every payment code is approved, signed. */
function walletCallbackRoutes(
  scope: FastifyInstance,
  walletOf: (slug: string) => DemoWallet | undefined,
  hide: { schema: { hide: boolean } },
): void {
  scope.post('/demo/wallets/:slug/callbacks/events', hide, async (_request, reply) => reply.code(204).send());
  // A payment code shown by a demo wallet is always approved: the demo has no balances to check.
  // The answer is signed with the wallet's key, as the hub takes no unsigned answer.
  scope.post<{
    Params: { slug: string };
    Body: { authorizationId?: unknown; amount?: unknown; currency?: unknown };
  }>('/demo/wallets/:slug/callbacks/authorizations', hide, async (request, reply) => {
    const wallet = walletOf(request.params.slug);
    if (!wallet) return reply.code(404).send({});
    const { authorizationId, amount, currency } = request.body ?? {};
    const text = JSON.stringify({ authorizationId, decision: 'approved', amount, currency });
    // Fastify writes JSON's charset, so the signed Content-Type says it too.
    const headers = { 'content-type': 'application/json; charset=utf-8' };
    const signature = await signResponse(
      { status: 200, headers, body: text },
      { keyId: wallet.keyId, privateKey: createPrivateKey(wallet.privateKeyPem), now: () => new Date() },
    );
    return reply
      .code(200)
      .headers({ ...headers, ...signature })
      .send(text);
  });
}
