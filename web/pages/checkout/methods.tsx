import { useState } from 'preact/hooks';
import { CopyButton, CopyableText, QrPicture } from '../../components/parts.tsx';
import { useWords } from '../../components/language.tsx';
import type { Attempt, CheckoutApi, Flow, Method } from '../../shared/api.ts';

type Started = { walletId: string; flow: Flow } & (
  | { state: 'note' }
  | { state: 'pending' }
  | { state: 'failed' }
  | { state: 'ready'; attempt: Attempt; qrSvg?: string }
);

/** The wallets on offer: each with its flows as buttons, and the started flow's way to pay beneath it. */
export function Methods(props: { api: CheckoutApi; top: Method[]; other: Method[]; recognised: string | undefined }) {
  const { t } = useWords();
  const [started, setStarted] = useState<Started | undefined>();
  const start = async (walletId: string, flow: Flow, note?: string) => {
    if (flow === 'friend_pay' && note === undefined) return setStarted({ walletId, flow, state: 'note' });
    setStarted({ walletId, flow, state: 'pending' });
    const answer = await props.api.start(walletId, flow, note);
    if (answer.status !== 201 || !answer.body) return setStarted({ walletId, flow, state: 'failed' });
    const attempt = answer.body;
    const picture = attempt.qrImageUrl ? await props.api.picture(attempt.qrImageUrl) : undefined;
    const qrSvg = picture?.status === 200 && typeof picture.body === 'string' ? picture.body : undefined;
    setStarted({ walletId, flow, state: 'ready', attempt, ...(qrSvg ? { qrSvg } : {}) });
  };
  const row = (method: Method) => (
    <MethodRow
      key={method.walletId}
      method={method}
      recognised={method.walletId === props.recognised}
      started={started?.walletId === method.walletId ? started : undefined}
      onStart={start}
    />
  );
  const anyOther = props.other.length > 0;
  const openOther = anyOther && props.other.some((method) => method.walletId === started?.walletId);
  return (
    <section class="card" id="methods-card" aria-labelledby="methods-title">
      <h2 id="methods-title">{t('checkout.chooseWallet')}</h2>
      {props.top.length + props.other.length === 0 ? <p>{t('checkout.noMethods')}</p> : null}
      <div id="methods">{props.top.map(row)}</div>
      {anyOther ? (
        <details id="other" open={openOther}>
          <summary>{t('checkout.otherMethods')}</summary>
          <div id="other-methods">{props.other.map(row)}</div>
        </details>
      ) : null}
    </section>
  );
}

function MethodRow(props: {
  method: Method;
  recognised: boolean;
  started: Started | undefined;
  onStart: (walletId: string, flow: Flow, note?: string) => void;
}) {
  const { t } = useWords();
  const { method } = props;
  const prominent = method.placement === 'default' || props.recognised;
  return (
    <div class="method" data-wallet={method.walletId} data-placement={method.placement}>
      <h3 class="name">
        {method.name}
        {props.recognised ? <span class="badge">{t('checkout.inThisApp', { wallet: method.name })}</span> : null}
        {!props.recognised && method.placement === 'default' ? (
          <span class="badge">{t('checkout.recommended')}</span>
        ) : null}
      </h3>
      <div class="flows">
        {method.flows.map((flow) => (
          <button
            key={flow}
            type="button"
            data-flow={flow}
            class={prominent ? 'primary' : ''}
            aria-pressed={props.started?.flow === flow}
            onClick={() => props.onStart(method.walletId, flow)}
          >
            {t(flowLabels[flow])}
          </button>
        ))}
      </div>
      {props.started?.state === 'note' ? (
        <NoteForm onCreate={(note) => props.onStart(method.walletId, 'friend_pay', note)} />
      ) : props.started ? (
        <AttemptPanel started={props.started} wallet={method.name} />
      ) : null}
    </div>
  );
}

const flowLabels = { app_switch: 'flow.app_switch', qr: 'flow.qr', friend_pay: 'flow.friend_pay' } as const;

/** Before a friend-pay link is made: the buyer may write a few words the friend (and the preview) will show. */
function NoteForm(props: { onCreate: (note: string) => void }) {
  const { t } = useWords();
  const [note, setNote] = useState('');
  return (
    <form
      class="attempt"
      id="note-form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onCreate(note.trim());
      }}
    >
      <label for="note">{t('attempt.noteLabel')}</label>
      <textarea
        id="note"
        maxLength={140}
        rows={2}
        value={note}
        onInput={(event) => setNote(event.currentTarget.value)}
      />
      <button type="submit" class="primary">
        {t('attempt.createLink')}
      </button>
    </form>
  );
}

function AttemptPanel(props: { started: Exclude<Started, { state: 'note' }>; wallet: string }) {
  const { t } = useWords();
  const { started, wallet } = props;
  if (started.state === 'pending') return <p class="attempt muted">{t('common.loading')}</p>;
  if (started.state === 'failed') return <p class="attempt bad">{t('checkout.startFailed')}</p>;
  const { attempt } = started;
  return (
    <div class="attempt" id="attempt" data-flow={attempt.flow}>
      {attempt.deepLink ? (
        <>
          <p>{t('attempt.openAppHint', { wallet })}</p>
          <a class="button primary" id="deep-link" href={attempt.deepLink}>
            {t('attempt.openApp', { wallet })}
          </a>
        </>
      ) : null}
      {attempt.qrPayload ? (
        <div id="qr" data-payload={attempt.qrPayload}>
          <p>{t('attempt.scanHint', { wallet })}</p>
          {started.qrSvg ? <QrPicture svg={started.qrSvg} alt={t('attempt.qrAlt', { wallet })} /> : null}
          <CopyableText id="qr-payload" label={t('attempt.payload')} value={attempt.qrPayload} />
          <CopyButton id="copy-payload" text={attempt.qrPayload} label={t('attempt.copyPayload')} />
        </div>
      ) : null}
      {attempt.shareUrl ? <ShareLink url={attempt.shareUrl} /> : null}
    </div>
  );
}

function ShareLink(props: { url: string }) {
  const { t } = useWords();
  const canShare = typeof navigator.share === 'function';
  return (
    <div id="share">
      <p>{t('attempt.shareHint')}</p>
      <CopyableText id="share-url" label={t('attempt.shareLink')} value={props.url} />
      <CopyButton id="copy-share" text={props.url} label={t('attempt.copyLink')} />
      {canShare ? (
        <button type="button" onClick={() => void navigator.share({ url: props.url }).catch(() => undefined)}>
          {t('attempt.share')}
        </button>
      ) : null}
    </div>
  );
}
