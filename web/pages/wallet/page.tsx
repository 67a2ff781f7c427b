import { useEffect, useState } from 'preact/hooks';
import { useWords } from '../../components/language.tsx';
import { Amount, Notice, Status } from '../../components/parts.tsx';
import { type Paid, type PaymentRequest, type WalletApi, walletApi } from '../../shared/api.ts';
import { minorUnitsOf } from '../../shared/money.ts';
import { decodeQrPicture } from './decode.ts';

type Step =
  | { kind: 'scan'; refused?: string }
  | { kind: 'confirm'; request: PaymentRequest }
  | { kind: 'paid'; paid: Paid };

/** A demo wallet's app: read a code (pasted, or from a picture), see what it asks, approve, go back. */
export function WalletPage() {
  const { t } = useWords();
  const walletId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  const [api] = useState<WalletApi>(() => walletApi(walletId));
  const [name, setName] = useState<string | null | undefined>(undefined);
  const [step, setStep] = useState<Step>({ kind: 'scan' });
  const resolve = async (asked: { token: string } | { qrPayload: string }) => {
    const answer = await api.resolve(asked);
    if (answer.status === 200 && answer.body) return setStep({ kind: 'confirm', request: answer.body });
    setStep({ kind: 'scan', refused: answer.body?.code ?? String(answer.status) });
  };
  useEffect(() => {
    void api.read().then((answer) => setName(answer.status === 200 && answer.body ? answer.body.name : null));
    const token = new URLSearchParams(location.search).get('token');
    if (token) void resolve({ token });
  }, []);
  if (name === undefined) return <Status tone="waiting">{t('common.loading')}</Status>;
  if (name === null) return <Notice id="unknown-wallet" tone="bad" title={t('wallet.unknown')} />;
  return (
    <section class="card" aria-labelledby="wallet-name">
      <h1 id="wallet-name">{name}</h1>
      <p class="muted">{t('wallet.intro')}</p>
      {step.kind === 'scan' ? (
        <Scan refused={step.refused} onRead={(qrPayload) => void resolve({ qrPayload })} />
      ) : null}
      {step.kind === 'confirm' ? (
        <Confirm
          api={api}
          request={step.request}
          onPaid={(paid) => setStep({ kind: 'paid', paid })}
          onRefused={(refused) => setStep({ kind: 'scan', refused })}
          onCancel={() => setStep({ kind: 'scan' })}
        />
      ) : null}
      {step.kind === 'paid' ? <Done paid={step.paid} onAgain={() => setStep({ kind: 'scan' })} /> : null}
    </section>
  );
}

function Scan(props: { refused: string | undefined; onRead: (payload: string) => void }) {
  const { t } = useWords();
  const [payload, setPayload] = useState('');
  const [unreadable, setUnreadable] = useState(false);
  const choose = async (file: File | undefined) => {
    const read = file ? await decodeQrPicture(file).catch(() => undefined) : undefined;
    setUnreadable(!read);
    if (read) props.onRead(read);
  };
  return (
    <div id="scan">
      {props.refused ? (
        <p class="bad" role="alert">
          {t('wallet.refused', { code: props.refused })}
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (payload.trim()) props.onRead(payload.trim());
        }}
      >
        <div class="field">
          <label for="payload">{t('wallet.pasteLabel')}</label>
          <textarea id="payload" rows={3} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" id="read-code">
          {t('wallet.read')}
        </button>
      </form>
      <div class="field">
        <label for="picture">{t('wallet.uploadLabel')}</label>
        <input
          id="picture"
          type="file"
          accept="image/*"
          onChange={(event) => void choose(event.currentTarget.files?.[0])}
        />
      </div>
      {unreadable ? (
        <p class="bad" role="alert">
          {t('wallet.unreadable')}
        </p>
      ) : null}
    </div>
  );
}

function Confirm(props: {
  api: WalletApi;
  request: PaymentRequest;
  onPaid: (paid: Paid) => void;
  onRefused: (code: string) => void;
  onCancel: () => void;
}) {
  const { t, exponentOf } = useWords();
  const { request } = props;
  const [typed, setTyped] = useState('');
  const amount = request.amount ?? minorUnitsOf(typed, exponentOf(request.currency));
  const approve = async () => {
    if (amount === undefined) return;
    const paid = await props.api.pay(request.paymentToken, amount, request.currency);
    if (paid.status === 201 && paid.body) props.onPaid(paid.body);
    else props.onRefused(paid.body?.code ?? String(paid.status));
  };
  return (
    <form
      id="confirm"
      onSubmit={(event) => {
        event.preventDefault();
        void approve();
      }}
    >
      <h2>{t('wallet.askedBy', { merchant: `${request.merchant.name}, ${request.merchant.city}` })}</h2>
      {request.amount === null ? (
        <div class="field">
          <label for="amount">{t('wallet.amountLabel', { currency: request.currency })}</label>
          <input
            id="amount"
            inputMode="decimal"
            required
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </div>
      ) : (
        <Amount amount={request.amount} currency={request.currency} />
      )}
      <button type="submit" class="primary" id="approve" disabled={amount === undefined}>
        {t('wallet.approve')}
      </button>{' '}
      <button type="button" onClick={props.onCancel}>
        {t('wallet.cancel')}
      </button>
    </form>
  );
}

function Done(props: { paid: Paid; onAgain: () => void }) {
  const { t, money } = useWords();
  const { paid } = props;
  return (
    <div id="done">
      <p class="ok" role="status">
        {t('wallet.paid', { amount: money(paid.amount, paid.currency) })}
      </p>
      <dl>
        <dt>{t('paid.receipt')}</dt>
        <dd id="receipt-number">{paid.receiptNumber}</dd>
      </dl>
      {paid.returnUrl ? (
        <a class="button primary" id="back" href={paid.returnUrl}>
          {t('paid.back')}
        </a>
      ) : null}{' '}
      <button type="button" onClick={props.onAgain}>
        {t('wallet.another')}
      </button>
    </div>
  );
}
