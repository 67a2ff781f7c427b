/**
 * Charges at the till: the buyer shows a one-time payment code from their
 * wallet, the till scans it, the hub routes it by prefix to the issuing
 * wallet and asks that wallet to authorise, with a deadline. Pure rules, no I/O.
 */
import type { Minor } from '../money/index.ts';

// ---------------------------------------------------------------- payment codes

/**
 * A payment code is 16 to 24 decimal digits beginning with its wallet's
 * prefix (1 to 10 digits, registered with the participant; no two
 * participants' prefixes overlap). The wallet makes and checks the rest.
 */
export const paymentCodeDigitsMin = 16;
export const paymentCodeDigitsMax = 24;
export const paymentCodePattern = `^[0-9]{${paymentCodeDigitsMin},${paymentCodeDigitsMax}}$`;
const paymentCodeRegExp = new RegExp(paymentCodePattern);

export function isPaymentCode(text: string): boolean {
  return paymentCodeRegExp.test(text);
}

/** Every prefix a code could be routed by: its leading 1, 2, ... n digits. */
export function leadingPrefixes(code: string): string[] {
  return Array.from({ length: code.length }, (_, index) => code.slice(0, index + 1));
}

export type PrefixOwner = { prefix: string; participantId: string };

/**
 * The owner of the longest registered prefix the code begins with. Prefixes
 * never overlap, so at most one matches today; the longest wins should that
 * rule ever loosen.
 */
export function routeByPrefix(code: string, owners: readonly PrefixOwner[]): PrefixOwner | undefined {
  let best: PrefixOwner | undefined;
  for (const owner of owners) {
    if (!code.startsWith(owner.prefix)) continue;
    if (!best || owner.prefix.length > best.prefix.length) best = owner;
  }
  return best;
}

/** What a till or an event shows of a code: enough to tell two apart, too little to reuse. */
export function maskedCode(code: string): string {
  return code.slice(-4);
}

// ---------------------------------------------------------------- the state machine

/**
 * `pending`: the wallet is being asked. `unknown`: it did not answer by the
 * deadline (or answered nonsense); it may still decide, until the charge is
 * reversed. The other three are final.
 */
export type ChargeStatus = 'pending' | 'succeeded' | 'declined' | 'unknown' | 'reversed';
export const chargeStatuses = [
  'pending',
  'succeeded',
  'declined',
  'unknown',
  'reversed',
] as const satisfies readonly ChargeStatus[];

/** `no_answer`: the deadline passed, the call failed, or the answer did not match the question. */
export type ChargeEvent = 'approve' | 'decline' | 'no_answer' | 'reverse';

/** The one table of allowed transitions, `{from, event} → to`. */
const chargeTransitions: Record<ChargeStatus, Partial<Record<ChargeEvent, ChargeStatus>>> = {
  pending: { approve: 'succeeded', decline: 'declined', no_answer: 'unknown', reverse: 'reversed' },
  unknown: { approve: 'succeeded', decline: 'declined', reverse: 'reversed' },
  succeeded: {},
  declined: {},
  reversed: {},
};

export function nextChargeStatus(from: ChargeStatus, event: ChargeEvent): ChargeStatus | undefined {
  return chargeTransitions[from][event];
}

export type ChargeStamp = 'succeeded_at' | 'declined_at' | 'unknown_at' | 'reversed_at';

/** The stamp each transition sets. */
export function chargeStampOf(event: ChargeEvent): ChargeStamp {
  switch (event) {
    case 'approve':
      return 'succeeded_at';
    case 'decline':
      return 'declined_at';
    case 'no_answer':
      return 'unknown_at';
    case 'reverse':
      return 'reversed_at';
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown charge event ${String(unknownEvent)}`);
    }
  }
}

/** What each transition does to the reserved transfer behind the charge. */
export function reservationMoveOf(event: ChargeEvent): 'commit' | 'release' | 'keep' {
  switch (event) {
    case 'approve':
      return 'commit';
    case 'decline':
    case 'reverse':
      return 'release';
    case 'no_answer':
      return 'keep';
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown charge event ${String(unknownEvent)}`);
    }
  }
}

/** Only a declined charge gives its code back; every other status keeps it used. */
export function holdsCode(status: ChargeStatus): boolean {
  return status !== 'declined';
}

/** Which statuses the reversal worker looks at. */
export const reversibleStatuses = ['pending', 'unknown'] as const satisfies readonly ChargeStatus[];

/** Why a charge was reversed: its wallet stayed silent too long, or the till called it off. */
export type ReversalReason = 'unknown_timeout' | 'till_reversed';

// ---------------------------------------------------------------- the charge

export type Charge = {
  id: string;
  merchantId: string;
  acquirerId: string;
  issuerId: string;
  paymentCode: string;
  amount: Minor;
  currency: string;
  reference: string;
  status: ChargeStatus;
  transferId: string;
  receiptNumber: string;
  declineReason: string | null;
  reversalReason: ReversalReason | null;
  deadlineAt: string;
  reverseAfter: string;
  createdAt: string;
  succeededAt: string | null;
  declinedAt: string | null;
  unknownAt: string | null;
  reversedAt: string | null;
};

/** A charge as the till, its wallet and the events see it. */
export type ChargeView = {
  id: string;
  status: ChargeStatus;
  amount: number;
  currency: string;
  reference: string;
  merchantId: string;
  walletId: string;
  paymentCodeLast4: string;
  /** The payment, once the charge succeeded; until then the money is only reserved. */
  transferId: string | null;
  receiptNumber: string | null;
  declineReason: string | null;
  reversalReason: ReversalReason | null;
  deadline: string;
  createdAt: string;
  succeededAt: string | null;
  declinedAt: string | null;
  unknownAt: string | null;
  reversedAt: string | null;
};

/** A fresh object with its fields in one stable order. */
export function chargeJson(charge: Charge): ChargeView {
  const succeeded = charge.status === 'succeeded';
  return {
    id: charge.id,
    status: charge.status,
    amount: charge.amount,
    currency: charge.currency,
    reference: charge.reference,
    merchantId: charge.merchantId,
    walletId: charge.issuerId,
    paymentCodeLast4: maskedCode(charge.paymentCode),
    transferId: succeeded ? charge.transferId : null,
    receiptNumber: succeeded ? charge.receiptNumber : null,
    declineReason: charge.declineReason,
    reversalReason: charge.reversalReason,
    deadline: charge.deadlineAt,
    createdAt: charge.createdAt,
    succeededAt: charge.succeededAt,
    declinedAt: charge.declinedAt,
    unknownAt: charge.unknownAt,
    reversedAt: charge.reversedAt,
  };
}

// ---------------------------------------------------------------- talking to the wallet

export type MerchantSnapshot = { id: string; name: string; mcc: string; city: string };

/** The body of the signed `POST {callbackUrl}/authorizations`. The authorization id is the charge id. */
export type AuthorizationRequest = {
  authorizationId: string;
  paymentCode: string;
  amount: number;
  currency: string;
  merchant: MerchantSnapshot;
  deadline: string;
};

export function authorizationRequestOf(charge: Charge, merchant: MerchantSnapshot): AuthorizationRequest {
  return {
    authorizationId: charge.id,
    paymentCode: charge.paymentCode,
    amount: charge.amount,
    currency: charge.currency,
    merchant: { id: merchant.id, name: merchant.name, mcc: merchant.mcc, city: merchant.city },
    deadline: charge.deadlineAt,
  };
}

/** The data of `authorization.reversed`, sent to the wallet so it can undo any debit. */
export function authorizationReversedOf(charge: Charge, merchant: MerchantSnapshot) {
  return {
    authorizationId: charge.id,
    paymentCode: charge.paymentCode,
    amount: charge.amount,
    currency: charge.currency,
    merchant: { id: merchant.id, name: merchant.name, mcc: merchant.mcc, city: merchant.city },
    reason: charge.reversalReason,
    reversedAt: charge.reversedAt,
  };
}

export type Decision = 'approved' | 'declined';

export function eventOfDecision(decision: Decision): ChargeEvent {
  return decision === 'approved' ? 'approve' : 'decline';
}

/** A wallet's reason for a decline, as the till shows it. */
export const declineReasonCharsMax = 200;

export type AuthorizationAnswer =
  | { kind: 'decided'; decision: Decision; reason: string | null }
  | { kind: 'no_answer'; why: string };

function noAnswer(why: string): AuthorizationAnswer {
  return { kind: 'no_answer', why };
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the wallet's answer to an authorization call. Only a `200` whose
 * body names the same authorization, amount and currency and a known
 * decision counts; anything else counts as no answer, so the charge waits
 * for a late decision or its reversal instead of guessing.
 */
export function judgeAnswer(
  asked: Pick<AuthorizationRequest, 'authorizationId' | 'amount' | 'currency'>,
  response: { status: number; body: string },
): AuthorizationAnswer {
  if (response.status !== 200) return noAnswer(`the wallet answered ${response.status}`);
  const body = parseObject(response.body);
  if (!body) return noAnswer('the answer is not a JSON object');
  if (body.authorizationId !== asked.authorizationId)
    return noAnswer(`the answer names authorization ${String(body.authorizationId)}, not ${asked.authorizationId}`);
  if (body.amount !== asked.amount)
    return noAnswer(`the answer is for amount ${String(body.amount)}, not ${asked.amount}`);
  if (body.currency !== asked.currency)
    return noAnswer(`the answer is in ${String(body.currency)}, not ${asked.currency}`);
  const decision = body.decision;
  if (decision !== 'approved' && decision !== 'declined')
    return noAnswer(`the decision ${String(decision)} is neither approved nor declined`);
  const reason = body.reason ?? null;
  if (reason !== null && (typeof reason !== 'string' || reason.length > declineReasonCharsMax)) {
    return noAnswer(`the reason is not a string of at most ${declineReasonCharsMax} characters`);
  }
  return { kind: 'decided', decision, reason };
}

// ---------------------------------------------------------------- refusals and limits

/** Why a charge is refused before its wallet is asked, in the order checked. */
export type ChargeRefusal =
  /** The currency is not an ISO 4217 code (the code's format is checked by the route schema). */
  | 'invalid_request'
  /** The merchant is suspended. */
  | 'merchant_suspended'
  /** No participant's prefix begins the code, or its owner is not an issuer. */
  | 'payment_code_unroutable'
  /** The code was charged before, and that charge was not declined. */
  | 'payment_code_used'
  /** The issuing wallet is not active. */
  | 'participant_not_active'
  /** The wallet or the merchant's acquirer does not hold the currency. */
  | 'currency_not_supported'
  /** The wallet suspended its channel with this merchant. */
  | 'channel_not_approved'
  /** The wallet's headroom cannot take the reservation. */
  | 'limit_exceeded';

/** How a charge ended for the till's request, when it did not succeed or wait. */
export type ChargeOutcomeRefusal = 'payment_declined' | 'charge_reversed';

/** Why a wallet's late decision is refused. */
export type DecisionRefusal = 'not_found' | 'charge_reversed' | 'invalid_transition';

/** Why a till's reversal is refused. */
export type ReversalRefusal = 'not_found' | 'invalid_transition';

export const referenceCharsMax = 64;
/** The authorization call always leaves at least this much time, or it is not made. */
export const authorizationTimeoutMsMin = 50;
/** The reversal worker's pace and batch. */
export const reversalWorkerIntervalMs = 5_000;
export const reversalBatchChargesMax = 100;
