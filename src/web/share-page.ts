import { page } from './layout.ts';

const body = `
<div class="card"><div class="muted">A friend asks you to pay</div><h1 id="merchant"></h1>
<div class="amount" id="amount"></div><table id="lines"></table><div class="status" id="status" role="status"></div>
</div>
<div class="card"><div class="muted">Pay with any of these wallets</div><div id="wallets"></div></div>`;

const script = `
const token = location.pathname.split('/').pop();
async function load() {
  const response = await fetch('/v1/share/' + encodeURIComponent(token));
  if (!response.ok) { document.getElementById('status').textContent = 'This link is not valid.'; return; }
  const shared = await response.json();
  document.getElementById('merchant').textContent = shared.merchant.name + ', ' + shared.merchant.city;
  document.getElementById('amount').textContent = formatAmount(shared.amount, shared.currency);
  document.getElementById('lines').replaceChildren(...shared.lines.map((line) => el('tr', {}, el('td', {},
    line.quantity + ' × ' + line.name), el('td', {}, formatAmount(line.quantity * line.unitAmount, shared.currency)))));
  document.getElementById('status').textContent = shared.status === 'open' ? ''
    : shared.status === 'expired' ? 'This request has expired'
    : 'This order is ' + shared.status;
  if (shared.status !== 'open') return;
  document.getElementById('wallets').replaceChildren(...shared.wallets.map((wallet) => {
    const row = el('div', { class: 'method', 'data-wallet': wallet.walletId }, el('div', { class: 'name' },
      wallet.name), el('div', { class: 'qr', 'data-payload': wallet.qrPayload }, svgNode(wallet.qrSvg)));
    if (wallet.deepLink) row.append(el('a', { class: 'button primary', href: wallet.deepLink }, 'Open ' + wallet.name));
    return row;
  }));
}
load();`;

export function sharePage(): { html: string; csp: string } {
  return page('Pay for a friend', body, script);
}
