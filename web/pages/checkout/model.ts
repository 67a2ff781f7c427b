/** The checkout page's decisions, kept apart from its rendering so a test can state them plainly. */
import type { Method } from '../../shared/api.ts';

/**
 * The wallet whose in-app browser opened the page: it adds `wallet=<its participant id>` to the link, or
 * names itself `LintasWallet/<participant id>` in its User-Agent (docs/protocol.md). Only an offered
 * wallet counts.
 */
export function recognisedWallet(search: string, userAgent: string, methods: Method[]): string | undefined {
  const fromQuery = new URLSearchParams(search).get('wallet');
  const fromAgent = /LintasWallet\/([\w-]+)/.exec(userAgent)?.[1];
  return [fromQuery, fromAgent].find((id) => id && methods.some((method) => method.walletId === id)) ?? undefined;
}

/**
 * On top: the wallet the page is opened in, alone, as aggregated cashiers do; otherwise the merchant's
 * default and primary wallets. Every other offered wallet is folded under "Other methods".
 */
export function arrangeMethods(methods: Method[], recognised: string | undefined): { top: Method[]; other: Method[] } {
  if (recognised) {
    return {
      top: methods.filter((method) => method.walletId === recognised),
      other: methods.filter((method) => method.walletId !== recognised),
    };
  }
  return {
    top: methods.filter((method) => method.placement !== 'other'),
    other: methods.filter((method) => method.placement === 'other'),
  };
}

/** `9:05` or `1:02:03`: the time left to pay, never below zero. */
export function countdown(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * The client secret travels in the link's fragment, which no server sees. It is kept for this tab alone, so
 * a buyer sent back to the checkout's plain address by a wallet finds the page as they left it.
 */
export function secretOf(checkoutId: string, hash: string, storage: Pick<Storage, 'getItem' | 'setItem'> | undefined) {
  const key = `lintas.checkout.${checkoutId}`;
  const fromLink = new URLSearchParams(hash.replace(/^#/, '')).get('cs');
  if (fromLink) {
    storage?.setItem(key, fromLink);
    return fromLink;
  }
  return storage?.getItem(key) ?? undefined;
}
