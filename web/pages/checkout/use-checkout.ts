import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Checkout, type CheckoutApi, type CheckoutState, checkoutApi } from '../../shared/api.ts';
import { secretOf } from './model.ts';

export type View =
  | { kind: 'loading' | 'incomplete' | 'unknown' | 'offline' }
  | { kind: 'open' | 'expired' | 'canceled'; checkout: Checkout }
  | { kind: 'paid'; checkout: Checkout; state: CheckoutState };

const pollMs = 2_000;
/** Failed polls in a row before the page says it is offline and stops asking. */
const failuresMax = 5;

function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

async function settle(api: CheckoutApi, checkout: Checkout): Promise<View> {
  if (checkout.status !== 'paid') return { kind: checkout.status, checkout };
  const state = await api.state();
  return state.body && state.status === 200 ? { kind: 'paid', checkout, state: state.body } : { kind: 'offline' };
}

/**
 * The checkout as the hub has it: read once, then its status polled while it is open, and only then. Polling
 * ends with the checkout (paid, expired, canceled), at its expiry, or after a run of failures.
 */
export function useCheckout(): { view: View; api: CheckoutApi | undefined; reload: () => void } {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const apiRef = useRef<CheckoutApi | undefined>(undefined);
  const load = useCallback(async () => {
    const checkoutId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
    const secret = secretOf(checkoutId, location.hash, tabStorage());
    if (!secret) return setView({ kind: 'incomplete' });
    const api = checkoutApi(checkoutId, secret);
    apiRef.current = api;
    setView({ kind: 'loading' });
    const read = await api.read();
    if (read.status === 0 || read.status >= 500) return setView({ kind: 'offline' });
    if (read.status !== 200 || !read.body) return setView({ kind: 'unknown' });
    setView(await settle(api, read.body));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const checkout = view.kind === 'open' ? view.checkout : undefined;
  useEffect(() => {
    if (!checkout) return;
    return pollWhileOpen(apiRef.current, checkout, setView);
  }, [checkout]);
  return { view, api: apiRef.current, reload: () => void load() };
}

function pollWhileOpen(api: CheckoutApi | undefined, checkout: Checkout, setView: (view: View) => void): () => void {
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    if (stopped || !api) return;
    const answer = await api.state();
    if (stopped) return;
    if (answer.status !== 200 || !answer.body) {
      failures += 1;
      if (failures >= failuresMax) return setView({ kind: 'offline' });
    } else {
      failures = 0;
      const state = answer.body;
      if (state.status === 'paid') return setView({ kind: 'paid', checkout: { ...checkout, status: 'paid' }, state });
      if (state.status !== 'open') return setView({ kind: state.status, checkout });
    }
    if (Date.parse(checkout.expiresAt) + pollMs < Date.now()) return setView({ kind: 'expired', checkout });
    timer = setTimeout(tick, pollMs);
  };
  timer = setTimeout(tick, pollMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
