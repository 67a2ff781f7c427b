import { useEffect, useState } from 'preact/hooks';
import { useWords } from '../../components/language.tsx';
import { Amount, Notice, Status } from '../../components/parts.tsx';
import { call } from '../../shared/api.ts';
import type { Language } from '../../shared/i18n.ts';

type Product = {
  sku: string;
  shelf: 'tea' | 'teaware' | 'snacks';
  unitAmount: number;
  names: Record<Language, string>;
};
type Shelves = { currency: string; products: Product[]; shipping: number };

const shelfWords = { tea: 'shop.tea', teaware: 'shop.teaware', snacks: 'shop.snacks' } as const;

/** The demo merchant's store: products by shelf, a cart, and a checkout made by the shop's own server. */
export function ShopPage() {
  const { t } = useWords();
  const [shelves, setShelves] = useState<Shelves | null>();
  const [cart, setCart] = useState<Record<string, number>>({});
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void call<Shelves>('/demo/api/shop').then((answer) => setShelves(answer.status === 200 ? answer.body : null));
  }, []);
  if (shelves === undefined) return <Status tone="waiting">{t('common.loading')}</Status>;
  if (shelves === null) return <Notice id="offline" tone="bad" title={t('common.networkError')} />;
  const add = (sku: string) => setCart({ ...cart, [sku]: (cart[sku] ?? 0) + 1 });
  const remove = (sku: string) => setCart(Object.fromEntries(Object.entries(cart).filter(([key]) => key !== sku)));
  const checkOut = async () => {
    const items = Object.entries(cart).map(([sku, quantity]) => ({ sku, quantity }));
    const answer = await call<{ hostedUrl: string }>('/demo/api/shop/checkouts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    if (answer.status === 201 && answer.body) location.assign(answer.body.hostedUrl);
    else setFailed(true);
  };
  return (
    <>
      <section class="card" aria-labelledby="shop-title">
        <h1 id="shop-title">{t('page.shop')}</h1>
        <p class="muted">{t('shop.intro')}</p>
        {(['tea', 'teaware', 'snacks'] as const).map((shelf) => (
          <Shelf key={shelf} title={t(shelfWords[shelf])} shelves={shelves} shelf={shelf} onAdd={add} />
        ))}
      </section>
      <Cart shelves={shelves} cart={cart} onRemove={remove} onCheckOut={() => void checkOut()} failed={failed} />
    </>
  );
}

function Shelf(props: { title: string; shelves: Shelves; shelf: Product['shelf']; onAdd: (sku: string) => void }) {
  const { t, language } = useWords();
  const shelved = props.shelves.products.filter((product) => product.shelf === props.shelf);
  return (
    <div class="shelf">
      <h2>{props.title}</h2>
      <ul class="products">
        {shelved.map((product) => (
          <li key={product.sku} class="product" data-sku={product.sku}>
            <span class="product-name">{product.names[language]}</span>
            <Amount class="price" amount={product.unitAmount} currency={props.shelves.currency} />
            <button
              type="button"
              onClick={() => props.onAdd(product.sku)}
              aria-label={t('shop.add', { product: product.names[language] })}
            >
              +
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Cart(props: {
  shelves: Shelves;
  cart: Record<string, number>;
  onRemove: (sku: string) => void;
  onCheckOut: () => void;
  failed: boolean;
}) {
  const { t, money, language } = useWords();
  const { currency, products, shipping } = props.shelves;
  const lines = Object.entries(props.cart).flatMap(([sku, quantity]) => {
    const product = products.find((shelved) => shelved.sku === sku);
    return product ? [{ product, quantity }] : [];
  });
  const total = lines.reduce((sum, line) => sum + line.quantity * line.product.unitAmount, shipping);
  return (
    <section class="card" id="cart" aria-labelledby="cart-title">
      <h2 id="cart-title">{t('shop.cart')}</h2>
      {lines.length === 0 ? <p>{t('shop.empty')}</p> : null}
      {lines.length > 0 ? (
        <table>
          <caption class="visually-hidden">{t('shop.cart')}</caption>
          <tbody>
            {lines.map(({ product, quantity }) => (
              <tr key={product.sku}>
                <td>{t('checkout.line', { quantity, name: product.names[language] })}</td>
                <td>{money(quantity * product.unitAmount, currency)}</td>
                <td>
                  <button
                    type="button"
                    class="small"
                    onClick={() => props.onRemove(product.sku)}
                    aria-label={t('shop.remove', { product: product.names[language] })}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
            <tr>
              <td>{t('shop.shipping')}</td>
              <td>{money(shipping, currency)}</td>
              <td />
            </tr>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('checkout.total')}</th>
              <td id="cart-total">{money(total, currency)}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      ) : null}
      {props.failed ? (
        <p class="bad" role="alert">
          {t('shop.failed')}
        </p>
      ) : null}
      <button type="button" class="primary" id="check-out" disabled={lines.length === 0} onClick={props.onCheckOut}>
        {t('shop.checkout')}
      </button>
    </section>
  );
}
