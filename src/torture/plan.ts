import { type Prng, seededPrng } from '../platform/index.ts';
/**
 * What a torture run does, drawn from its seed: when the hub is killed, and what each story (one buyer's
 * payment and its refunds, or one window close) asks. Pure: the same seed gives the same schedule.
 */

/** How long a hub lives after it says it listens, before it is killed. */
export const uptimeMsMin = 100;
export const uptimeMsMax = 1_200;

const killStream = 0;

/** The uptime of each life before its kill, one per kill. */
export function killDelaysMs(seed: number, kills: number): number[] {
  const prng = seededPrng(seed, killStream);
  return Array.from({ length: kills }, () => prng.between(uptimeMsMin, uptimeMsMax));
}

export type WalletIndex = 0 | 1;
export type MerchantIndex = 0 | 1;
/** What a wallet answers when the hub asks it to authorise a payment code; `silent` answers after the deadline. */
export type WalletAnswer = 'approve' | 'decline' | 'silent';

type Paying = {
  merchant: MerchantIndex;
  amount: number;
  payer: WalletIndex;
  /** The amounts of the partial refunds asked after the payment; together they may ask more than was paid. */
  refunds: readonly number[];
  /** Whether the refunds are sent together (racing each other) or one after another. */
  refundsAtOnce: boolean;
};

export type StoryPlan =
  | ({ kind: 'checkout'; rival: WalletIndex | undefined } & Paying)
  | ({ kind: 'placard' } & Paying)
  | ({ kind: 'till_qr' } & Paying)
  | ({ kind: 'payment_code'; answer: WalletAnswer } & Paying)
  | { kind: 'close' };

export type StoryKind = StoryPlan['kind'];

/** How often each kind of story is drawn, out of the sum. */
const storyWeights: ReadonlyArray<readonly [StoryKind, number]> = [
  ['checkout', 36],
  ['payment_code', 28],
  ['placard', 15],
  ['till_qr', 15],
  ['close', 6],
];

export const amountMin = 100;
export const amountMax = 50_000;
const refundedChance = 0.5;
const refundsMax = 3;
/** One refund asks at most this share of the payment, so two or three may together ask too much. */
const refundShareMax = 0.6;
const rivalChance = 0.25;

function weighted(prng: Prng): StoryKind {
  const total = storyWeights.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = prng.next() * total;
  for (const [kind, weight] of storyWeights) {
    draw -= weight;
    if (draw < 0) return kind;
  }
  return 'checkout';
}

function paying(prng: Prng): Paying {
  const amount = prng.between(amountMin, amountMax);
  const refundCount = prng.chance(refundedChance) ? prng.between(1, refundsMax) : 0;
  const refunds = Array.from({ length: refundCount }, () => prng.between(1, Math.ceil(amount * refundShareMax)));
  return {
    merchant: prng.pick([0, 1] as const),
    amount,
    payer: prng.pick([0, 1] as const),
    refunds,
    refundsAtOnce: prng.chance(0.5),
  };
}

function walletAnswer(prng: Prng): WalletAnswer {
  const draw = prng.next();
  if (draw < 0.8) return 'approve';
  return draw < 0.9 ? 'decline' : 'silent';
}

/** Story `story` of the run with this seed: the same whichever lane runs it, and whenever. */
export function planStory(seed: number, story: number): StoryPlan {
  const prng = seededPrng(seed, story + 1);
  const kind = weighted(prng);
  if (kind === 'close') return { kind };
  const base = paying(prng);
  switch (kind) {
    case 'checkout': {
      const rival = prng.chance(rivalChance) ? ((1 - base.payer) as WalletIndex) : undefined;
      return { kind, rival, ...base };
    }
    case 'payment_code':
      return { kind, answer: walletAnswer(prng), ...base };
    case 'placard':
    case 'till_qr':
      return { kind, ...base };
  }
}

/** The Idempotency-Key of one step of one story: the same on every retry, never shared with another step. */
export function keyOf(seed: number, story: number, step: string): string {
  return `torture-${seed}-${story}-${step}`;
}

/** A merchant's reference (checkout, till QR, till sale) or a wallet's payer.ref, unique in the run. */
export function referenceOf(seed: number, story: number, what: string): string {
  return `t${seed}-${story}-${what}`;
}

const answerDigits: Record<WalletAnswer, string> = { approve: '0', decline: '8', silent: '9' };

/** A 16-digit payment code under the wallet's prefix; its last digit tells the wallet how to answer. */
export function paymentCodeOf(prefix: string, seed: number, story: number, answer: WalletAnswer): string {
  const seedDigits = String(seed % 1000).padStart(3, '0');
  const storyDigits = String(story).padStart(10, '0');
  return `${prefix}${seedDigits}${storyDigits}${answerDigits[answer]}`;
}

export function answerOfPaymentCode(code: string): WalletAnswer {
  const last = code.at(-1);
  if (last === answerDigits.decline) return 'decline';
  return last === answerDigits.silent ? 'silent' : 'approve';
}
