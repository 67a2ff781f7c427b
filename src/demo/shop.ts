import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import type { HubContext } from '../context.ts';
import type { App } from '../http/index.ts';
import { pageHandler, titled } from '../web/index.ts';
import { bearerCall } from './client.ts';
import type { DemoState } from './state.ts';

type Names = { en: string; 'zh-CN': string; id: string };
type Product = { sku: string; shelf: 'tea' | 'teaware' | 'snacks'; category: string; unitAmount: number; names: Names };

/** Toko Lintas's shelves, in CNY fen; each product named in the three languages of the pages. */
const products: Product[] = [
  {
    sku: 'TEA-OOLONG',
    shelf: 'tea',
    category: 'grocery',
    unitAmount: 5_000,
    names: { en: 'Oolong tea', 'zh-CN': '乌龙茶', id: 'Teh oolong' },
  },
  {
    sku: 'TEA-JASMINE',
    shelf: 'tea',
    category: 'grocery',
    unitAmount: 3_800,
    names: { en: 'Jasmine green tea', 'zh-CN': '茉莉花茶', id: 'Teh hijau melati' },
  },
  {
    sku: 'TEA-PUER',
    shelf: 'tea',
    category: 'grocery',
    unitAmount: 8_800,
    names: { en: 'Pu-erh cake', 'zh-CN': '普洱茶饼', id: 'Kue teh pu-erh' },
  },
  {
    sku: 'WARE-GAIWAN',
    shelf: 'teaware',
    category: 'home',
    unitAmount: 12_000,
    names: { en: 'Porcelain gaiwan', 'zh-CN': '瓷盖碗', id: 'Gaiwan porselen' },
  },
  {
    sku: 'WARE-CUPS',
    shelf: 'teaware',
    category: 'home',
    unitAmount: 4_500,
    names: { en: 'Six tasting cups', 'zh-CN': '品茗杯六只', id: 'Enam cangkir cicip' },
  },
  {
    sku: 'SNACK-MOONCAKE',
    shelf: 'snacks',
    category: 'grocery',
    unitAmount: 1_250,
    names: { en: 'Mooncake', 'zh-CN': '月饼', id: 'Kue bulan' },
  },
];
const shipping = { kind: 'shipping', name: 'Courier', quantity: 1, unitAmount: 2_990 } as const;

const Order = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { sku: Type.String({ maxLength: 32 }), quantity: Type.Integer({ minimum: 1, maximum: 99 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

/**
 * The demo shop at /shop: a page (web/pages/shop) and the shop's server, which turns a cart into a
 * checkout with the merchant's key, as any merchant's server does, and sends the buyer to its hosted page.
 */
export function shopRoutes(stateOf: () => DemoState | undefined, hubUrl: () => string) {
  return (app: App, _ctx: HubContext): void => {
    const hidden = { hide: true };
    app.get('/shop', { schema: hidden }, pageHandler('shop', titled('page.shop')));
    app.get('/demo/api/shop', { schema: hidden }, async () => ({
      currency: 'CNY',
      products,
      shipping: shipping.unitAmount,
    }));
    app.post('/demo/api/shop/checkouts', { schema: { ...hidden, body: Order } }, async (request, reply) => {
      const state = stateOf();
      if (!state) return reply.code(503).send({ code: 'service_unavailable' });
      const lines = request.body.items.flatMap(({ sku, quantity }) => {
        const product = products.find((shelved) => shelved.sku === sku);
        if (!product) return [];
        const { category, unitAmount, names } = product;
        return [{ kind: 'product' as const, sku, name: names.en, category, quantity, unitAmount }];
      });
      if (lines.length === 0) return reply.code(400).send({ code: 'invalid_request' });
      const amount = [...lines, shipping].reduce((sum, line) => sum + line.quantity * line.unitAmount, 0);
      const created = await bearerCall(hubUrl(), state.merchant.secretKey)('POST', '/v1/checkouts', {
        amount,
        currency: 'CNY',
        reference: `shop-${randomUUID().slice(0, 8)}`,
        buyerId: `shop-buyer-${randomUUID().slice(0, 8)}`,
        lines: [...lines, shipping],
        returnUrl: `${hubUrl()}/shop`,
      });
      if (created.status !== 201) return reply.code(502).send(created.body);
      return reply.code(201).send({ hostedUrl: created.body.hostedUrl });
    });
  };
}
