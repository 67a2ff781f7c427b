import QRCode from 'qrcode';
import { useState } from 'preact/hooks';
import { useWords } from '../../components/language.tsx';
import { QrPicture, Status } from '../../components/parts.tsx';
import { type Charge, type TillApi, type TillQr, tillApi } from '../../shared/api.ts';
import { minorUnitsOf } from '../../shared/money.ts';
import { usePoll } from './poll.ts';

const keyStorage = 'lintas.till.key';

function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** A merchant's till, signed in with the merchant's secret key (kept for this tab only). */
export function TillPage() {
  const { t } = useWords();
  const [key, setKey] = useState<string | undefined>(() => tabStorage()?.getItem(keyStorage) ?? undefined);
  if (!key) return <SignIn onSignedIn={setKey} />;
  const signOut = () => {
    tabStorage()?.removeItem(keyStorage);
    setKey(undefined);
  };
  const api = tillApi(key);
  return (
    <>
      <h1 class="page-title">{t('page.till')}</h1>
      <ShowQr api={api} />
      <ChargeCode api={api} />
      <p>
        <button type="button" id="sign-out" onClick={signOut}>
          {t('till.signOut')}
        </button>
      </p>
    </>
  );
}

function SignIn(props: { onSignedIn: (key: string) => void }) {
  const { t } = useWords();
  const [typed, setTyped] = useState('');
  const [refused, setRefused] = useState(false);
  const submit = async () => {
    const answer = await tillApi(typed.trim()).check();
    setRefused(answer.status !== 200);
    if (answer.status !== 200) return;
    tabStorage()?.setItem(keyStorage, typed.trim());
    props.onSignedIn(typed.trim());
  };
  return (
    <form
      class="card"
      id="sign-in"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h1>{t('till.signInTitle')}</h1>
      <div class="field">
        <label for="merchant-key">{t('till.keyLabel')}</label>
        <input
          id="merchant-key"
          type="password"
          autoComplete="off"
          required
          value={typed}
          onInput={(event) => setTyped(event.currentTarget.value)}
        />
      </div>
      {refused ? (
        <p class="bad" role="alert">
          {t('till.badKey')}
        </p>
      ) : null}
      <button type="submit" class="primary">
        {t('till.signIn')}
      </button>
    </form>
  );
}

function AmountFields(props: {
  id: string;
  currency: string;
  onCurrency: (currency: string) => void;
  typed: string;
  onTyped: (typed: string) => void;
}) {
  const { t } = useWords();
  return (
    <>
      <div class="field">
        <label for={`${props.id}-currency`}>{t('till.currencyLabel')}</label>
        <select
          id={`${props.id}-currency`}
          value={props.currency}
          onChange={(e) => props.onCurrency(e.currentTarget.value)}
        >
          <option value="CNY">CNY</option>
          <option value="IDR">IDR</option>
        </select>
      </div>
      <div class="field">
        <label for={`${props.id}-amount`}>{t('till.amountLabel', { currency: props.currency })}</label>
        <input
          id={`${props.id}-amount`}
          inputMode="decimal"
          required
          value={props.typed}
          onInput={(e) => props.onTyped(e.currentTarget.value)}
        />
      </div>
    </>
  );
}

const qrWords = {
  pending: 'till.waiting',
  paid: 'till.qrPaid',
  expired: 'till.expired',
  canceled: 'till.canceled',
} as const;

function ShowQr(props: { api: TillApi }) {
  const { t, exponentOf } = useWords();
  const [currency, setCurrency] = useState('CNY');
  const [typed, setTyped] = useState('');
  const [qr, setQr] = useState<TillQr & { svg?: string }>();
  const [refused, setRefused] = useState<string>();
  const make = async () => {
    const amount = minorUnitsOf(typed, exponentOf(currency));
    if (amount === undefined) return setRefused('amount');
    const answer = await props.api.makeQr(amount, currency);
    if (answer.status !== 201 || !answer.body) return setRefused(answer.body?.code ?? String(answer.status));
    setRefused(undefined);
    setQr({ ...answer.body, svg: await QRCode.toString(answer.body.qrPayload, { type: 'svg', margin: 4 }) });
  };
  usePoll(qr?.status === 'pending', async () => {
    if (!qr) return;
    const answer = await props.api.readQr(qr.id);
    if (answer.status === 200 && answer.body) setQr({ ...qr, status: answer.body.status });
  });
  return (
    <section class="card" aria-labelledby="show-qr-title">
      <h2 id="show-qr-title">{t('till.showQr')}</h2>
      <form
        id="qr-form"
        onSubmit={(event) => {
          event.preventDefault();
          void make();
        }}
      >
        <AmountFields id="qr" currency={currency} onCurrency={setCurrency} typed={typed} onTyped={setTyped} />
        <button type="submit" class="primary">
          {t('till.makeQr')}
        </button>
      </form>
      {refused ? (
        <p class="bad" role="alert">
          {t('till.refused', { code: refused })}
        </p>
      ) : null}
      {qr ? (
        <div class="attempt" id="till-qr" data-payload={qr.qrPayload}>
          {qr.svg && qr.status === 'pending' ? <QrPicture svg={qr.svg} alt={t('till.qrAlt')} /> : null}
          <Status id="till-qr-status" tone={qr.status === 'paid' ? 'ok' : qr.status === 'pending' ? 'waiting' : 'bad'}>
            {t(qrWords[qr.status])}
          </Status>
          {qr.status === 'pending' ? (
            <button
              type="button"
              onClick={() =>
                void props.api.cancelQr(qr.id).then((a) => a.body && setQr({ ...qr, status: a.body.status }))
              }
            >
              {t('till.cancelQr')}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function ChargeCode(props: { api: TillApi }) {
  const { t, exponentOf } = useWords();
  const [currency, setCurrency] = useState('CNY');
  const [typed, setTyped] = useState('');
  const [code, setCode] = useState('');
  const [charge, setCharge] = useState<Charge>();
  const [refused, setRefused] = useState<string>();
  const submit = async () => {
    const amount = minorUnitsOf(typed, exponentOf(currency));
    if (amount === undefined) return setRefused('amount');
    const answer = await props.api.charge(code.replace(/\s/g, ''), amount, currency);
    if ((answer.status !== 201 && answer.status !== 202) || !answer.body) {
      return setRefused(answer.body?.code ?? String(answer.status));
    }
    setRefused(undefined);
    setCharge(answer.body);
  };
  const undecided = charge?.status === 'pending' || charge?.status === 'unknown';
  usePoll(undecided, async () => {
    if (!charge) return;
    const answer = await props.api.readCharge(charge.id);
    if (answer.status === 200 && answer.body) setCharge(answer.body);
  });
  return (
    <section class="card" aria-labelledby="charge-title">
      <h2 id="charge-title">{t('till.chargeCode')}</h2>
      <form
        id="charge-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div class="field">
          <label for="payment-code">{t('till.codeLabel')}</label>
          <input
            id="payment-code"
            inputMode="numeric"
            autoComplete="off"
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </div>
        <AmountFields id="charge" currency={currency} onCurrency={setCurrency} typed={typed} onTyped={setTyped} />
        <button type="submit" class="primary">
          {t('till.charge')}
        </button>
      </form>
      {refused ? (
        <p class="bad" role="alert">
          {t('till.refused', { code: refused })}
        </p>
      ) : null}
      {charge ? (
        <ChargeResult
          charge={charge}
          onReverse={() => void props.api.reverse(charge.id).then((a) => a.body?.id && setCharge(a.body))}
        />
      ) : null}
    </section>
  );
}

function ChargeResult(props: { charge: Charge; onReverse: () => void }) {
  const { t, money } = useWords();
  const { charge } = props;
  const amount = money(charge.amount, charge.currency);
  const words = {
    pending: t('till.waiting'),
    unknown: t('till.unknown'),
    succeeded: t('till.paid', { amount }),
    declined: t('till.declined', { reason: charge.declineReason ?? '' }),
    reversed: t('till.reversed'),
  };
  return (
    <div class="attempt" id="charge-result" data-status={charge.status}>
      <Status
        id="charge-status"
        tone={charge.status === 'succeeded' ? 'ok' : charge.status === 'pending' ? 'waiting' : 'bad'}
      >
        {words[charge.status]}
      </Status>
      {charge.receiptNumber ? (
        <dl>
          <dt>{t('paid.receipt')}</dt>
          <dd id="charge-receipt">{charge.receiptNumber}</dd>
        </dl>
      ) : null}
      {charge.status === 'pending' || charge.status === 'unknown' ? (
        <button type="button" id="reverse" onClick={props.onReverse}>
          {t('till.reverse')}
        </button>
      ) : null}
    </div>
  );
}
