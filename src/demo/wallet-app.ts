import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import type { App } from '../http/index.ts';
import { pageHandler, titled } from '../web/index.ts';
import { type DemoResponse, signedCall } from './client.ts';
import type { DemoState, DemoWallet } from './state.ts';

const WalletParams = Type.Object({ walletId: Type.String({ maxLength: 64 }) });
const ResolveBody = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    qrPayload: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
const PayBody = Type.Object(
  {
    paymentToken: Type.String({ minLength: 1, maxLength: 200 }),
    amount: Type.Integer({ minimum: 1 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);

function answer(reply: FastifyReply, response: DemoResponse, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(response.status).send({ ...response.body, ...extra });
}

/**
 * The demo wallets' app at /wallet/{walletId}: a page in the browser (web/pages/wallet) and the small
 * backend it calls, which signs each call with the wallet's key as a wallet's own server would. The
 * browser never holds the key.
 */
export function walletAppRoutes(stateOf: () => DemoState | undefined, hubUrl: () => string) {
  return (app: App, _ctx: HubContext): void => {
    const hidden = { hide: true };
    // By participant id, or by the slug the demo's app links use (/wallet/beta-wallet).
    const walletOf = (id: string): DemoWallet | undefined =>
      stateOf()?.wallets.find((wallet) => wallet.id === id || wallet.slug === id);
    // Where a resolved payment sends the buyer back, kept here so the page cannot be told another address.
    const returnUrls = new Map<string, string>();

    app.get(
      '/wallet/:walletId',
      { schema: { ...hidden, params: WalletParams } },
      pageHandler('wallet', titled('page.wallet')),
    );
    app.get('/demo/api/wallets/:walletId', { schema: { ...hidden, params: WalletParams } }, async (request, reply) => {
      const wallet = walletOf(request.params.walletId);
      return wallet ? { id: wallet.id, name: wallet.name } : reply.callNotFound();
    });
    app.post(
      '/demo/api/wallets/:walletId/resolve',
      { schema: { ...hidden, params: WalletParams, body: ResolveBody } },
      async (request, reply) => {
        const wallet = walletOf(request.params.walletId);
        if (!wallet) return reply.callNotFound();
        const { token, qrPayload } = request.body;
        const resolved = await signedCall(hubUrl(), wallet)(
          'POST',
          '/v1/payment-requests/resolve',
          token ? { token } : { qrPayload: (qrPayload ?? '').trim() },
        );
        if (resolved.status === 200 && resolved.body.returnUrl)
          returnUrls.set(resolved.body.paymentToken, resolved.body.returnUrl);
        return answer(reply, resolved);
      },
    );
    app.post(
      '/demo/api/wallets/:walletId/pay',
      { schema: { ...hidden, params: WalletParams, body: PayBody } },
      async (request, reply) => {
        const wallet = walletOf(request.params.walletId);
        if (!wallet) return reply.callNotFound();
        const { paymentToken, amount, currency } = request.body;
        const paid = await signedCall(hubUrl(), wallet)('POST', '/v1/transfers', {
          paymentToken,
          amount,
          currency,
          payer: { ref: `${wallet.slug}-${randomUUID()}` },
        });
        const returnUrl = returnUrls.get(paymentToken) ?? null;
        if (paid.status === 201) returnUrls.delete(paymentToken);
        return answer(reply, paid, paid.status === 201 ? { returnUrl } : {});
      },
    );
  };
}
