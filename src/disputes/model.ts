/**
 * Disputes: an issuer's claim on a payment it paid, the acquirer's (or its
 * merchant's) answer, the issuer's reply to a contest, and the operator's
 * ruling. Pure types, the transition table and the deadlines; no I/O.
 */

export const disputeReasons = [
  'not_received',
  'not_as_described',
  'duplicate',
  'amount_differs',
  'unauthorised',
  'canceled_but_charged',
  'other',
] as const;
export type DisputeReason = (typeof disputeReasons)[number];

export type DisputeStatus =
  | 'open'
  | 'accepted'
  | 'contested'
  | 'withdrawn'
  | 'escalated'
  | 'won_by_issuer'
  | 'won_by_acquirer';

export type DisputeEvent =
  | 'accept'
  | 'contest'
  | 'withdraw'
  | 'escalate'
  | 'rule_for_issuer'
  | 'rule_for_acquirer'
  /** The deadline of the party whose turn it was passed without its answer. */
  | 'deadline'
  /** An open dispute's deadline passed unanswered, and the liability rule puts the loss on the issuer. */
  | 'deadline_issuer_bears';

/** Who may cause an event: the dispute's parties, the operator, or the hub's clock. */
export type DisputeActor = 'issuer' | 'acquirer' | 'merchant' | 'operator' | 'clock';

/** What a transition does to the money: a chargeback, give the held amount back, or nothing yet. */
export type DisputeMoney = 'chargeback' | 'release' | 'hold';

type Transition = { to: DisputeStatus; by: readonly DisputeActor[]; money: DisputeMoney };

const answerers = ['acquirer', 'merchant'] as const;

/**
 * The one table of the dispute's life. An open dispute is the acquirer's
 * (or its merchant's) to answer; no answer by the deadline is an acceptance,
 * unless the liability rule for its reason puts the loss on the issuer.
 * A contest is the issuer's to withdraw or escalate; no answer by its
 * deadline lets the contest stand (withdrawn). An escalation waits for the
 * operator, who has no deadline. Every final status has no way out, so a
 * dispute moves money at most once.
 */
const disputeTransitions: Record<DisputeStatus, Partial<Record<DisputeEvent, Transition>>> = {
  open: {
    accept: { to: 'accepted', by: answerers, money: 'chargeback' },
    deadline: { to: 'accepted', by: ['clock'], money: 'chargeback' },
    deadline_issuer_bears: { to: 'won_by_acquirer', by: ['clock'], money: 'release' },
    contest: { to: 'contested', by: answerers, money: 'hold' },
    withdraw: { to: 'withdrawn', by: ['issuer'], money: 'release' },
  },
  contested: {
    withdraw: { to: 'withdrawn', by: ['issuer'], money: 'release' },
    deadline: { to: 'withdrawn', by: ['clock'], money: 'release' },
    escalate: { to: 'escalated', by: ['issuer'], money: 'hold' },
  },
  escalated: {
    rule_for_issuer: { to: 'won_by_issuer', by: ['operator'], money: 'chargeback' },
    rule_for_acquirer: { to: 'won_by_acquirer', by: ['operator'], money: 'release' },
  },
  accepted: {},
  withdrawn: {},
  won_by_issuer: {},
  won_by_acquirer: {},
};

export type TransitionRefusal = 'invalid_transition' | 'forbidden';

/** The transition an actor's event makes from a status, or why it may not. */
export function nextDispute(
  from: DisputeStatus,
  event: DisputeEvent,
  actor: DisputeActor,
): { ok: true; value: Transition } | { ok: false; code: TransitionRefusal } {
  const transition = disputeTransitions[from][event];
  if (transition === undefined) return { ok: false, code: 'invalid_transition' };
  if (!transition.by.includes(actor)) return { ok: false, code: 'forbidden' };
  return { ok: true, value: transition };
}

export function isFinal(status: DisputeStatus): boolean {
  return Object.keys(disputeTransitions[status]).length === 0;
}

/** The stamp each status sets when a dispute reaches it. */
export function stampOf(
  status: Exclude<DisputeStatus, 'open'>,
): 'accepted_at' | 'contested_at' | 'withdrawn_at' | 'escalated_at' | 'ruled_at' {
  switch (status) {
    case 'accepted':
      return 'accepted_at';
    case 'contested':
      return 'contested_at';
    case 'withdrawn':
      return 'withdrawn_at';
    case 'escalated':
      return 'escalated_at';
    case 'won_by_issuer':
    case 'won_by_acquirer':
      return 'ruled_at';
    default: {
      const unknownStatus: never = status;
      throw new Error(`unknown dispute status ${String(unknownStatus)}`);
    }
  }
}

export const dayMs = 24 * 60 * 60 * 1000;

/**
 * How many days after a payment's commit the issuer may raise a dispute for
 * each reason, unless LINTAS_DISPUTE_WINDOW_DAYS says otherwise.
 */
export const raiseWindowDaysDefault: Readonly<Record<DisputeReason, number>> = {
  not_received: 120,
  not_as_described: 120,
  duplicate: 60,
  amount_differs: 60,
  unauthorised: 120,
  canceled_but_charged: 120,
  other: 30,
};
export const raiseWindowDaysMax = 540;

/**
 * The raise windows from `reason=days` pairs separated by commas (such as
 * `other=45,duplicate=30`) over the defaults; undefined when a pair names
 * no reason or its days are not an integer from 1 to the maximum.
 */
export function parseRaiseWindows(text: string): Record<DisputeReason, number> | undefined {
  const windows: Record<DisputeReason, number> = { ...raiseWindowDaysDefault };
  for (const pair of text.split(',').map((part) => part.trim())) {
    const match = /^([a-z_]+)=(\d{1,4})$/.exec(pair);
    const reason = match?.[1] as DisputeReason | undefined;
    const days = Number(match?.[2]);
    if (reason === undefined || !disputeReasons.includes(reason) || days < 1 || days > raiseWindowDaysMax)
      return undefined;
    windows[reason] = days;
  }
  return windows;
}

/** How long the acquirer (or its merchant) has to accept or contest an open dispute. */
export const responseWindowMs = 10 * dayMs;
/** How long the issuer has to withdraw or escalate a contested dispute. */
export const replyWindowMs = 10 * dayMs;

/** The deadline a status sets for the next party; null when no one but the operator may act. */
export function deadlineAfter(status: DisputeStatus, at: Date): string | null {
  if (status === 'open') return new Date(at.getTime() + responseWindowMs).toISOString();
  if (status === 'contested') return new Date(at.getTime() + replyWindowMs).toISOString();
  return null;
}

export const noteCharsMax = 2_000;
export const evidenceCharsMax = 20_000;

export type Dispute = {
  id: string;
  status: DisputeStatus;
  reason: DisputeReason;
  amount: number;
  currency: string;
  paymentTransferId: string;
  chargebackTransferId: string | null;
  arbitrationFeeTransferId: string | null;
  issuerParticipantId: string;
  acquirerParticipantId: string;
  merchantId: string;
  note: string;
  evidence: string | null;
  /** Who answered the open dispute: `merchant`, `acquirer`, or `deadline` when nobody did. */
  respondedBy: 'merchant' | 'acquirer' | 'deadline' | null;
  responseNote: string | null;
  responseEvidence: string | null;
  escalationNote: string | null;
  /** The ruling's reason: `arbitration` by the operator, `liability_rule` when an unanswered dispute's rule decided. */
  rulingReason: 'arbitration' | 'liability_rule' | null;
  /** The liability rule (`reason/circumstance`) that decided the dispute, if one did. */
  decidedByRule: string | null;
  rulingNote: string | null;
  deadlineAt: string | null;
  createdAt: string;
  acceptedAt: string | null;
  contestedAt: string | null;
  withdrawnAt: string | null;
  escalatedAt: string | null;
  ruledAt: string | null;
};

/** Where a liability rule applies: raising on a checkout's payment, an unanswered dispute, an escalated one. */
export const circumstances = ['checkout_payment', 'unanswered', 'escalated'] as const;
export type Circumstance = (typeof circumstances)[number];
/** Who bears the loss; `refused` means the dispute cannot be raised at all. */
export const bearers = ['issuer', 'acquirer', 'refused'] as const;
export type Bearer = (typeof bearers)[number];

export type LiabilityRule = {
  reason: DisputeReason;
  circumstance: Circumstance;
  bears: Bearer;
  note: string;
  updatedAt: string;
};

export const ruleKeyOf = (rule: { reason: string; circumstance: string }): string =>
  `${rule.reason}/${rule.circumstance}`;

/** Which bearers make sense where: a dispute is refused only when raised; once raised someone bears it. */
export function bearerFits(circumstance: Circumstance, bears: Bearer): boolean {
  return circumstance === 'checkout_payment' ? bears === 'refused' || bears === 'issuer' : bears !== 'refused';
}
