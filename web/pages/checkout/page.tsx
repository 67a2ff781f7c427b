import { useEffect, useState } from 'preact/hooks';
import { useWords } from '../../components/language.tsx';
import { Amount, Notice, Status } from '../../components/parts.tsx';
import type { Checkout, CheckoutState } from '../../shared/api.ts';
import { Methods } from './methods.tsx';
import { arrangeMethods, countdown, recognisedWallet } from './model.ts';
import { useCheckout } from './use-checkout.ts';

/** Each closed page's words, written out so the catalogue test finds every key it uses. */
const closed = {
  incomplete: ['incomplete.title', 'incomplete.body'],
  unknown: ['unknown.title', 'unknown.body'],
  expired: ['expired.title', 'expired.body'],
  canceled: ['canceled.title', 'canceled.body'],
} as const;

export function CheckoutPage() {
  const { t } = useWords();
  const { view, api, reload } = useCheckout();
  switch (view.kind) {
    case 'loading':
      return <Status tone="waiting">{t('common.loading')}</Status>;
    case 'incomplete':
    case 'unknown':
      return (
        <Notice id={view.kind} tone="bad" title={t(closed[view.kind][0])}>
          <p>{t(closed[view.kind][1])}</p>
        </Notice>
      );
    case 'offline':
      return (
        <Notice id="offline" tone="bad" title={t('common.networkError')}>
          <button type="button" class="primary" onClick={reload}>
            {t('common.retry')}
          </button>
        </Notice>
      );
    case 'expired':
    case 'canceled':
      return (
        <Notice id={view.kind} tone="bad" title={t(closed[view.kind][0])}>
          <p>{t(closed[view.kind][1])}</p>
          <BackToShop checkout={view.checkout} />
        </Notice>
      );
    case 'paid':
      return <Paid checkout={view.checkout} state={view.state} />;
    case 'open': {
      const recognised = recognisedWallet(location.search, navigator.userAgent, view.checkout.methods);
      const { top, other } = arrangeMethods(view.checkout.methods, recognised);
      return (
        <>
          <Order checkout={view.checkout} />
          {api ? <Methods api={api} top={top} other={other} recognised={recognised} /> : null}
        </>
      );
    }
  }
}

function Order(props: { checkout: Checkout }) {
  const { t, money } = useWords();
  const { checkout } = props;
  const merchant = checkout.merchant?.name ?? '';
  return (
    <section class="card" aria-labelledby="merchant">
      <h1 id="merchant">{t('checkout.payTo', { merchant })}</h1>
      <p class="muted" id="reference">
        {t('checkout.order', { reference: checkout.reference })}
      </p>
      <Amount amount={checkout.amount} currency={checkout.currency} />
      <Countdown expiresAt={checkout.expiresAt} />
      {checkout.lines.length > 0 ? (
        <table id="lines">
          <caption class="visually-hidden">{t('checkout.items')}</caption>
          <tbody>
            {checkout.lines.map((line, index) => (
              <tr key={index}>
                <td>{t('checkout.line', { quantity: line.quantity, name: line.name })}</td>
                <td>{money(line.quantity * line.unitAmount, checkout.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('checkout.total')}</th>
              <td>{money(checkout.amount, checkout.currency)}</td>
            </tr>
          </tfoot>
        </table>
      ) : null}
      <Status tone="waiting">{t('checkout.waiting')}</Status>
    </section>
  );
}

/** The time left, by the browser's clock: the hub's answer at expiry is what ends the page. */
function Countdown(props: { expiresAt: string }) {
  const { t } = useWords();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const left = Date.parse(props.expiresAt) - now;
  return (
    <p class="countdown" id="countdown">
      {t('checkout.expiresIn', { time: countdown(left) })}
    </p>
  );
}

function Paid(props: { checkout: Checkout; state: CheckoutState }) {
  const { t, money } = useWords();
  const { checkout, state } = props;
  const wallet = state.paidWallet?.name ?? '';
  return (
    <Notice id="paid" tone="ok" title={t('paid.title')}>
      <p>{t('paid.body', { amount: money(checkout.amount, checkout.currency), wallet })}</p>
      {state.receiptNumber ? (
        <dl>
          <dt>{t('paid.receipt')}</dt>
          <dd id="receipt-number">{state.receiptNumber}</dd>
        </dl>
      ) : null}
      <BackToShop checkout={{ ...checkout, returnUrl: state.returnUrl ?? checkout.returnUrl }} />
    </Notice>
  );
}

function BackToShop(props: { checkout: Checkout }) {
  const { t } = useWords();
  const url = props.checkout.returnUrl;
  return url ? (
    <a class="button primary" id="back-to-shop" href={url}>
      {t('paid.back')}
    </a>
  ) : null;
}
