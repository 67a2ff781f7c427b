import { page } from './layout.ts';

const body = `
<div class="card"><h1 id="merchant">Checkout</h1><div class="muted" id="reference"></div>
<div class="amount" id="amount"></div><div class="status" id="status" role="status" aria-live="polite"></div></div>
<div class="card" id="methods-card"><div id="methods"></div>
<details id="other"><summary>Other methods</summary><div id="other-methods"></div></details></div>
<div class="card" id="result" hidden></div>`;

const flowLabels = `{ app_switch: 'Pay in app', qr: 'Show QR code', friend_pay: 'Ask a friend' }`;

/**
 * The hosted checkout: the client secret travels in the URL fragment, which
 * the browser never sends to the server; the page sends it as a bearer token.
 */
const script = `
const checkoutId = location.pathname.split('/').pop();
const secret = new URLSearchParams(location.hash.slice(1)).get('cs');
const flowLabels = ${flowLabels};
const api = (path, options = {}) => fetch(path, { ...options, headers: { authorization: 'Bearer ' + secret,
  'content-type': 'application/json', ...(options.headers || {}) } });
let settled = false;

function showStatus(status) {
  const node = document.getElementById('status');
  node.className = 'status ' +
    (status === 'open' ? '' : status === 'expired' || status === 'canceled' ? 'closed' : 'paid');
  node.textContent = status === 'open' ? 'Waiting for payment'
    : status === 'expired' ? 'This checkout has expired'
    : status === 'canceled' ? 'This checkout was canceled'
    : 'Paid';
  if (status !== 'open') { settled = true; document.getElementById('methods-card').hidden = true; }
}

async function startAttempt(walletId, flow) {
  const response = await api('/v1/checkouts/' + checkoutId + '/attempts', { method: 'POST',
    headers: { 'idempotency-key': crypto.randomUUID() }, body: JSON.stringify({ walletId, flow }) });
  const attempt = await response.json();
  const result = document.getElementById('result');
  result.hidden = false;
  result.replaceChildren();
  if (!response.ok) { result.append(el('p', { class: 'closed' },
    attempt.detail || 'Could not start the payment')); return; }
  if (attempt.deepLink) result.append(el('p', {}, 'Continue in your wallet app.'), el('a', { class: 'button primary',
    href: attempt.deepLink, id: 'deep-link' }, 'Open wallet app'));
  if (attempt.qrImageUrl) {
    const picture = await api(new URL(attempt.qrImageUrl).pathname);
    result.append(el('p', {}, 'Scan this code with your wallet.'), el('div', { class: 'qr', id: 'qr',
      'data-payload': attempt.qrPayload }, svgNode(await picture.text())));
  }
  if (attempt.shareUrl) {
    const copy = el('button', { type: 'button' }, 'Copy link');
    copy.addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText(attempt.shareUrl));
    result.append(el('p', {}, 'Send this link to a friend; they can pay with any of these wallets.'), el('a',
      { href: attempt.shareUrl, id: 'share-url' }, attempt.shareUrl), ' ', copy);
  }
}

function methodRow(method) {
  const row = el('div', { class: 'method', 'data-wallet': method.walletId, 'data-placement': method.placement });
  const name = el('div', { class: 'name' }, method.name);
  if (method.placement === 'default') name.append(el('span', { class: 'badge' }, 'Default'));
  row.append(name);
  for (const flow of method.flows) {
    const button = el('button', { type: 'button', 'data-flow': flow,
      class: method.placement === 'default' ? 'primary' : '' }, flowLabels[flow] || flow);
    button.addEventListener('click', () => startAttempt(method.walletId, flow));
    row.append(button);
  }
  return row;
}

async function load() {
  const response = await api('/v1/checkouts/' + checkoutId);
  if (!response.ok) { document.getElementById('status').textContent = 'This checkout cannot be found.'; return; }
  const checkout = await response.json();
  document.getElementById('amount').textContent = formatAmount(checkout.amount, checkout.currency);
  document.getElementById('reference').textContent = 'Order ' + checkout.reference;
  const top = checkout.methods.filter((method) => method.placement !== 'other');
  const other = checkout.methods.filter((method) => method.placement === 'other');
  document.getElementById('methods').replaceChildren(...top.map(methodRow));
  document.getElementById('other-methods').replaceChildren(...other.map(methodRow));
  document.getElementById('other').hidden = other.length === 0;
  if (checkout.methods.length === 0) {
    document.getElementById('methods').textContent = 'No wallet is available for this order.';
  }
  showStatus(checkout.status);
}

async function poll() {
  if (settled) return;
  const response = await api('/v1/checkouts/' + checkoutId + '/status');
  if (response.ok) {
    const state = await response.json();
    showStatus(state.status);
    if (state.status === 'paid' && state.returnUrl) document.getElementById('status').append(' ', el('a',
      { href: state.returnUrl }, 'Back to the shop'));
  }
  if (!settled) setTimeout(poll, 1500);
}

load().then(poll);`;

export function checkoutPage(): { html: string; csp: string } {
  return page('Checkout', body, script);
}
