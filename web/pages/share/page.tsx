import { useEffect, useState } from 'preact/hooks';
import { useWords } from '../../components/language.tsx';
import { Amount, CopyButton, Notice, QrPicture, Status } from '../../components/parts.tsx';
import { type Shared, call } from '../../shared/api.ts';

type View = { kind: 'loading' } | { kind: 'invalid' } | { kind: 'offline' } | { kind: 'ready'; shared: Shared };

/** Friend pay: what the buyer's friend sees, with every wallet the merchant accepts; nothing about the buyer. */
export function SharePage() {
  const { t } = useWords();
  const [view, setView] = useState<View>({ kind: 'loading' });
  const load = async () => {
    const token = decodeURIComponent(location.pathname.split('/').pop() ?? '');
    const answer = await call<Shared>(`/v1/share/${encodeURIComponent(token)}`);
    if (answer.status === 0 || answer.status >= 500) return setView({ kind: 'offline' });
    setView(answer.status === 200 && answer.body ? { kind: 'ready', shared: answer.body } : { kind: 'invalid' });
  };
  useEffect(() => {
    void load();
  }, []);
  if (view.kind === 'loading') return <Status tone="waiting">{t('common.loading')}</Status>;
  if (view.kind === 'offline') {
    return (
      <Notice id="offline" tone="bad" title={t('common.networkError')}>
        <button type="button" class="primary" onClick={() => void load()}>
          {t('common.retry')}
        </button>
      </Notice>
    );
  }
  if (view.kind === 'invalid') {
    return (
      <Notice id="invalid" tone="bad" title={t('share.invalidTitle')}>
        <p>{t('share.invalidBody')}</p>
      </Notice>
    );
  }
  return (
    <>
      <Order shared={view.shared} />
      {view.shared.status === 'open' ? <Wallets shared={view.shared} /> : null}
    </>
  );
}

const closedWords = { paid: 'share.paid', expired: 'share.expired', canceled: 'share.canceled' } as const;

function Order(props: { shared: Shared }) {
  const { t, money } = useWords();
  const { shared } = props;
  return (
    <section class="card" aria-labelledby="merchant">
      <p class="muted">{t('share.asks')}</p>
      <h1 id="merchant">
        {shared.merchant.name}, {shared.merchant.city}
      </h1>
      <Amount amount={shared.amount} currency={shared.currency} />
      {shared.note ? (
        <figure>
          <figcaption class="muted">{t('share.note')}</figcaption>
          <blockquote id="note">{shared.note}</blockquote>
        </figure>
      ) : null}
      <table id="lines">
        <caption class="visually-hidden">{t('checkout.items')}</caption>
        <tbody>
          {shared.lines.map((line, index) => (
            <tr key={index}>
              <td>{t('checkout.line', { quantity: line.quantity, name: line.name })}</td>
              <td>{money(line.quantity * line.unitAmount, shared.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shared.status === 'open' ? null : (
        <Status tone={shared.status === 'paid' ? 'ok' : 'bad'}>{t(closedWords[shared.status])}</Status>
      )}
      <PassOn />
    </section>
  );
}

function PassOn() {
  const { t } = useWords();
  if (typeof navigator.share !== 'function')
    return <CopyButton id="copy-share" text={location.href} label={t('share.passOn')} />;
  return (
    <button
      type="button"
      id="share-link"
      onClick={() => void navigator.share({ url: location.href }).catch(() => undefined)}
    >
      {t('share.passOn')}
    </button>
  );
}

function Wallets(props: { shared: Shared }) {
  const { t } = useWords();
  return (
    <section class="card" aria-labelledby="wallets-title">
      <h2 id="wallets-title">{t('share.payWith')}</h2>
      <div id="wallets">
        {props.shared.wallets.map((wallet) => (
          <div class="method" key={wallet.walletId} data-wallet={wallet.walletId} data-payload={wallet.qrPayload}>
            <h3 class="name">{wallet.name}</h3>
            <p>{t('share.scan', { wallet: wallet.name })}</p>
            <QrPicture svg={wallet.qrSvg} alt={t('attempt.qrAlt', { wallet: wallet.name })} />
            {wallet.deepLink ? (
              <a class="button primary" href={wallet.deepLink}>
                {t('share.open', { wallet: wallet.name })}
              </a>
            ) : null}
          </div>
        ))}
      </div>
    </section>
  );
}
