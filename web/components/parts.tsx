import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { LanguageSwitcher, useWords } from './language.tsx';

/** Every page's frame: the language switcher on top, one `<main>`, the switch's name below. */
export function Frame(props: { children: ComponentChildren }) {
  const { t } = useWords();
  return (
    <>
      <header class="top">
        <a class="brand" href="/">
          Lintas
        </a>
        <LanguageSwitcher />
      </header>
      <main>{props.children}</main>
      <footer class="muted">{t('common.footer')}</footer>
    </>
  );
}

export function Amount(props: { amount: number; currency: string; class?: string }) {
  const { money } = useWords();
  return <span class={props.class ?? 'amount'}>{money(props.amount, props.currency)}</span>;
}

/** A QR code's picture, drawn by the hub as SVG and shown as an image: it carries no script into the page. */
export function QrPicture(props: { svg: string; alt: string }) {
  return <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(props.svg)}`} alt={props.alt} />;
}

export type Tone = 'waiting' | 'ok' | 'bad';

/** A status line screen readers announce when it changes. */
export function Status(props: { tone: Tone; children: ComponentChildren; id?: string }) {
  return (
    <p id={props.id ?? 'status'} class={`status ${props.tone}`} role="status" aria-live="polite">
      {props.children}
    </p>
  );
}

/** A whole-page answer: paid, expired, canceled, not found, incomplete or offline. */
export function Notice(props: { id: string; tone: Tone; title: string; children?: ComponentChildren }) {
  return (
    <section class={`card notice ${props.tone}`} id={props.id} aria-labelledby={`${props.id}-title`}>
      <h1 id={`${props.id}-title`}>{props.title}</h1>
      {props.children}
    </section>
  );
}

/** A copy button that says whether it worked; where the clipboard is refused, the text stays selectable. */
export function CopyButton(props: { text: string; label: string; id?: string }) {
  const { t } = useWords();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    navigator.clipboard?.writeText(props.text).then(
      () => setState('copied'),
      () => setState('failed'),
    ) ?? setState('failed');
  };
  return (
    <span class="copy">
      <button type="button" id={props.id} onClick={copy}>
        {props.label}
      </button>
      <span class="copy-state" role="status" aria-live="polite">
        {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : ''}
      </span>
    </span>
  );
}

/** Read-only text a buyer may select and copy by hand (a QR payload, a link), labelled for screen readers. */
export function CopyableText(props: { id: string; label: string; value: string }) {
  return (
    <div class="copyable">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="text" readOnly value={props.value} onFocus={(event) => event.currentTarget.select()} />
    </div>
  );
}
