/**
 * One story per buyer: a checkout paid (sometimes raced by a second wallet), a placard, a till QR or a
 * payment code paid, then refunded in parts; or the operator closing the window. Every step is one operation
 * with its own Idempotency-Key, sent until final; a step whose answer is a refusal ends the story.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiRequest, Client, Credentials, SendHooks } from './client.ts';
import { type Answer, type Journal, type OpFacts, type OpKind, isSuccess, textField } from './model.ts';
import { type StoryPlan, type WalletIndex, keyOf, paymentCodeOf, planStory, referenceOf } from './plan.ts';
import type { Merchant, Wallet, World } from './world.ts';

export type StoryContext = { seed: number; world: World; client: Client; journal: Journal };

type Run = { ctx: StoryContext; story: number; hooks: SendHooks };
type Paying = Exclude<StoryPlan, { kind: 'close' }>;

/** How often a till polls a charge that is still pending or unknown. */
const chargePollMs = 500;
const undecidedChargeStatuses = new Set(['pending', 'unknown']);

/** The reason a refund carries: it names its operation, so the audit finds the refund it made. */
export function refundReasonOf(key: string): string {
  return `torture refund ${key}`;
}

async function act(
  run: Run,
  kind: OpKind,
  step: string,
  as: Credentials,
  request: ApiRequest,
  facts: OpFacts = {},
): Promise<Answer | undefined> {
  const key = request.method === 'POST' ? keyOf(run.ctx.seed, run.story, step) : undefined;
  const op = run.ctx.journal.open(kind, run.story, key, facts);
  return run.ctx.client.send(op, as, request, run.hooks);
}

async function resolveAndPay(
  run: Run,
  plan: Paying,
  wallet: Wallet,
  qrPayload: string,
  facts: OpFacts = {},
): Promise<Answer | undefined> {
  const merchant = run.ctx.world.merchants[plan.merchant];
  const resolve: ApiRequest = { method: 'POST', path: '/v1/payment-requests/resolve', body: { qrPayload } };
  const resolved = await act(run, 'resolve', `resolve-${wallet.slug}`, wallet.credentials, resolve, {
    walletId: wallet.id,
  });
  const paymentToken = textField(resolved?.body, 'paymentToken');
  if (resolved?.status !== 200 || paymentToken === undefined) return undefined;
  const payerRef = referenceOf(run.ctx.seed, run.story, `pay-${wallet.slug}`);
  const body = { paymentToken, amount: plan.amount, currency: merchant.currency, payer: { ref: payerRef } };
  return act(
    run,
    'transfer',
    `pay-${wallet.slug}`,
    wallet.credentials,
    { method: 'POST', path: '/v1/transfers', body },
    {
      ...facts,
      walletId: wallet.id,
      reference: payerRef,
      amount: plan.amount,
      currency: merchant.currency,
    },
  );
}

async function refund(run: Run, merchant: Merchant, transferId: string, amount: number, index: number) {
  const step = `refund-${index}`;
  const reason = refundReasonOf(keyOf(run.ctx.seed, run.story, step));
  const request: ApiRequest = { method: 'POST', path: '/v1/refunds', body: { transferId, amount, reason } };
  await act(run, 'refund', step, merchant.credentials, request, { paymentTransferId: transferId, amount, reason });
}

async function refundAll(run: Run, plan: Paying, transferId: string): Promise<void> {
  const merchant = run.ctx.world.merchants[plan.merchant];
  if (plan.refundsAtOnce) {
    await Promise.all(plan.refunds.map((amount, index) => refund(run, merchant, transferId, amount, index)));
    return;
  }
  for (const [index, amount] of plan.refunds.entries()) await refund(run, merchant, transferId, amount, index);
}

async function payCheckout(run: Run, plan: Paying, checkout: { id: string; secret: string }, payer: WalletIndex) {
  const wallet = run.ctx.world.wallets[payer];
  const buyer: Credentials = { kind: 'bearer', token: checkout.secret };
  const path = `/v1/checkouts/${checkout.id}/attempts`;
  const attempt = await act(
    run,
    'attempt',
    `attempt-${wallet.slug}`,
    buyer,
    { method: 'POST', path, body: { walletId: wallet.id, flow: 'qr' } },
    { checkoutId: checkout.id, walletId: wallet.id },
  );
  const qrPayload = textField(attempt?.body, 'qrPayload');
  if (attempt?.status !== 201 || qrPayload === undefined) return undefined;
  return resolveAndPay(run, plan, wallet, qrPayload, { checkoutId: checkout.id });
}

/** The merchant's side of a sale: a checkout or a till QR for the plan's amount, under a reference of its own. */
async function createSale(
  run: Run,
  plan: Paying,
  kind: 'checkout' | 'till_qr',
  path: string,
  extra: Record<string, unknown> = {},
): Promise<Answer | undefined> {
  const merchant = run.ctx.world.merchants[plan.merchant];
  const step = kind.replace('_', '-');
  const sale = {
    amount: plan.amount,
    currency: merchant.currency,
    reference: referenceOf(run.ctx.seed, run.story, step),
  };
  const request: ApiRequest = { method: 'POST', path, body: { ...sale, ...extra } };
  return act(run, kind, step, merchant.credentials, request, { ...sale, merchantId: merchant.id });
}

async function checkoutStory(run: Run, plan: Extract<StoryPlan, { kind: 'checkout' }>): Promise<void> {
  const created = await createSale(run, plan, 'checkout', '/v1/checkouts', { buyerId: `buyer-${run.story}` });
  const id = textField(created?.body, 'id');
  const secret = textField(created?.body, 'clientSecret');
  if (created?.status !== 201 || id === undefined || secret === undefined) return;
  const payers = plan.rival === undefined ? [plan.payer] : [plan.payer, plan.rival];
  const answers = await Promise.all(payers.map((payer) => payCheckout(run, plan, { id, secret }, payer)));
  const transferId = textField(answers.find(isSuccess)?.body, 'id');
  if (transferId !== undefined) await refundAll(run, plan, transferId);
}

async function tillQrStory(run: Run, plan: Paying): Promise<void> {
  const created = await createSale(run, plan, 'till_qr', '/v1/pos/qr-codes');
  const qrPayload = textField(created?.body, 'qrPayload');
  if (created?.status !== 201 || qrPayload === undefined) return;
  const paid = await resolveAndPay(run, plan, run.ctx.world.wallets[plan.payer], qrPayload);
  const transferId = textField(paid?.body, 'id');
  if (isSuccess(paid) && transferId !== undefined) await refundAll(run, plan, transferId);
}

async function placardStory(run: Run, plan: Paying): Promise<void> {
  const merchant = run.ctx.world.merchants[plan.merchant];
  const paid = await resolveAndPay(run, plan, run.ctx.world.wallets[plan.payer], merchant.placard);
  const transferId = textField(paid?.body, 'id');
  if (isSuccess(paid) && transferId !== undefined) await refundAll(run, plan, transferId);
}

/** Polls a charge the hub left pending or unknown until it is decided; undefined if the run gave up. */
async function decidedCharge(run: Run, merchant: Merchant, chargeId: string): Promise<unknown> {
  for (;;) {
    const read = await run.ctx.client.send(undefined, merchant.credentials, {
      method: 'GET',
      path: `/v1/pos/charges/${chargeId}`,
    });
    if (read === undefined) return undefined;
    if (read.status === 200 && !undecidedChargeStatuses.has(textField(read.body, 'status') ?? '')) return read.body;
    await sleep(chargePollMs);
  }
}

async function paymentCodeStory(run: Run, plan: Extract<StoryPlan, { kind: 'payment_code' }>): Promise<void> {
  const merchant = run.ctx.world.merchants[plan.merchant];
  const wallet = run.ctx.world.wallets[plan.payer];
  const reference = referenceOf(run.ctx.seed, run.story, 'sale');
  const paymentCode = paymentCodeOf(wallet.prefix, run.ctx.seed, run.story, plan.answer);
  const body = { paymentCode, amount: plan.amount, currency: merchant.currency, reference };
  const key = keyOf(run.ctx.seed, run.story, 'charge');
  const op = run.ctx.journal.open('charge', run.story, key, {
    merchantId: merchant.id,
    walletId: wallet.id,
    reference,
    amount: plan.amount,
    currency: merchant.currency,
  });
  const answer = await run.ctx.client.send(
    op,
    merchant.credentials,
    { method: 'POST', path: '/v1/pos/charges', body },
    run.hooks,
  );
  if (answer === undefined) return;
  let charge: unknown = answer.body;
  if (answer.status === 202) charge = await decidedCharge(run, merchant, textField(answer.body, 'id') ?? '');
  else if (answer.code === 'payment_declined') charge = { status: 'declined' };
  else if (answer.code === 'charge_reversed') charge = { status: 'reversed' };
  op.settled = textField(charge, 'status');
  const transferId = textField(charge, 'transferId');
  if (op.settled === 'succeeded' && transferId !== undefined) await refundAll(run, plan, transferId);
}

async function closeStory(run: Run): Promise<void> {
  await act(run, 'close', 'close', run.ctx.world.operator, { method: 'POST', path: '/v1/settlement-windows/close' });
}

/** Runs story `story` of the seed's plan; `hooks` hear when it waits on a key another request holds. */
export async function runStory(ctx: StoryContext, story: number, hooks: SendHooks): Promise<void> {
  const run: Run = { ctx, story, hooks };
  const plan = planStory(ctx.seed, story);
  switch (plan.kind) {
    case 'checkout':
      return checkoutStory(run, plan);
    case 'placard':
      return placardStory(run, plan);
    case 'till_qr':
      return tillQrStory(run, plan);
    case 'payment_code':
      return paymentCodeStory(run, plan);
    case 'close':
      return closeStory(run);
  }
}
