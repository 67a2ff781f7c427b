/**
 * The simulator's model (STYLE 12): what positions, fees and window nets
 * must be, in plain arithmetic written apart from the hub's own code (no
 * ledger, fee or settlement function is called), so the two can disagree.
 * Used by simulator.test.ts only.
 */

import { seededPrng } from '../platform/index.ts';

export type Random = ReturnType<typeof seededRandom>;

/** The platform's seeded generator, with the draw the simulator also needs. */
export function seededRandom(seedValue: number) {
  const prng = seededPrng(seedValue);
  return { ...prng, below: (bound: number) => Math.floor(prng.next() * bound) };
}

export type ModelRule = { bps: number; fixedAmount: number; minAmount: number };
export type ModelSchedule = {
  interchange: ModelRule;
  issuerSwitchFee: ModelRule;
  acquirerSwitchFee: ModelRule;
  merchantDiscount: ModelRule;
};
export type ModelFees = {
  interchange: number;
  issuerSwitchFee: number;
  acquirerSwitchFee: number;
  merchantDiscount: number;
};

type Account = { position: number; reserved: number; cap: number; prefunding: number };
type Moves = Map<string, number>;
export type PlannedPayment = {
  payer: string;
  payee: string;
  currency: string;
  amount: number;
  fees: ModelFees;
  moves: Moves;
  payerDebit: number;
  fits: boolean;
};
type ModelPayment = {
  id: string;
  payer: string;
  payee: string;
  currency: string;
  amount: number;
  refunded: number;
  interchange: number;
  returned: number;
};
type PlannedRefund = {
  amount: number;
  interchangeReturned: number;
  moves: Moves;
  expected: 'ok' | 'refund_exceeds_remaining' | 'limit_exceeded';
};
type ModelWindow = { status: 'open' | 'closed' | 'settled'; nets: Map<string, number> };

const noFees: ModelRule = { bps: 0, fixedAmount: 0, minAmount: 0 };

/** n / d to the nearest integer, a tie to the even one; n ≥ 0, d > 0. */
function nearestEven(n: bigint, d: bigint): bigint {
  const whole = n / d;
  const twiceRest = 2n * (n - whole * d);
  if (twiceRest < d) return whole;
  if (twiceRest > d) return whole + 1n;
  return whole % 2n === 0n ? whole : whole + 1n;
}

function feeOf(rule: ModelRule, amount: number, ceiling: number): number {
  const percentage = Number(nearestEven(BigInt(amount) * BigInt(rule.bps), 10_000n));
  return Math.min(ceiling, Math.max(0, Math.max(rule.minAmount, percentage + rule.fixedAmount)));
}

const keyOf = (account: string, currency: string) => `${account} ${currency}`;

export function createModel() {
  const accounts = new Map<string, Account>();
  const hub = new Map<string, number>();
  const schedules = new Map<string, ModelSchedule>();
  const payments: ModelPayment[] = [];
  const reservations: { id: string; planned: PlannedPayment }[] = [];
  const windows = new Map<string, ModelWindow>();
  const overdrawnBySettlement = new Set<string>();
  const counts = { payments: 0, refunds: 0, closes: 0, settles: 0 };
  let openWindowId: string | undefined;

  function account(participantId: string, currency: string): Account {
    const key = keyOf(participantId, currency);
    let found = accounts.get(key);
    if (!found) {
      found = { position: 0, reserved: 0, cap: 0, prefunding: 0 };
      accounts.set(key, found);
    }
    return found;
  }

  function headroom(participantId: string, currency: string): number {
    const one = account(participantId, currency);
    return one.cap + one.prefunding + one.position - one.reserved;
  }

  function add(moves: Moves, accountId: string, amount: number) {
    moves.set(accountId, (moves.get(accountId) ?? 0) + amount);
  }

  function payment(payer: string, payee: string, currency: string, amount: number): PlannedPayment {
    const schedule = schedules.get(currency);
    const rule = (name: keyof ModelSchedule) => schedule?.[name] ?? noFees;
    const onUs = payer === payee;
    const interchange = onUs ? 0 : feeOf(rule('interchange'), amount, amount);
    const fees = {
      interchange,
      issuerSwitchFee: feeOf(rule('issuerSwitchFee'), amount, amount),
      acquirerSwitchFee: feeOf(rule('acquirerSwitchFee'), amount, amount - interchange),
      merchantDiscount: feeOf(rule('merchantDiscount'), amount, amount),
    };
    const moves: Moves = new Map();
    add(moves, payer, -(amount - interchange) - fees.issuerSwitchFee);
    add(moves, payee, amount - interchange - fees.acquirerSwitchFee);
    add(moves, 'hub', fees.issuerSwitchFee + fees.acquirerSwitchFee);
    const payerDebit = Math.max(0, -(moves.get(payer) ?? 0));
    return {
      payer,
      payee,
      currency,
      amount,
      fees,
      moves,
      payerDebit,
      fits: payerDebit === 0 || headroom(payer, currency) >= payerDebit,
    };
  }

  /** The largest amount up to `high` whose debit fits the payer's headroom (debits grow with the amount), or 0. */
  function largestFitting(payer: string, payee: string, currency: string, high: number): number {
    let [low, top] = [0, high];
    while (low < top) {
      const middle = Math.ceil((low + top) / 2);
      if (payment(payer, payee, currency, middle).fits) low = middle;
      else top = middle - 1;
    }
    return low;
  }

  function open(): ModelWindow {
    if (openWindowId === undefined) throw new Error('the model has no open window yet');
    const window = windows.get(openWindowId);
    if (!window) throw new Error(`the model lost window ${openWindowId}`);
    return window;
  }

  /** Applies a committed transfer's moves to the positions, the hub and the open window's nets. */
  function apply(currency: string, moves: Moves) {
    const window = open();
    for (const [accountId, amount] of moves) {
      if (amount === 0) continue;
      if (accountId === 'hub') hub.set(currency, (hub.get(currency) ?? 0) + amount);
      else account(accountId, currency).position += amount;
      const key = keyOf(accountId, currency);
      window.nets.set(key, (window.nets.get(key) ?? 0) + amount);
    }
  }

  /**
   * At the end of a step: an account a settlement overdrew is no longer so once its headroom is back at zero or above.
   */
  function refreshOverdrawn() {
    for (const key of [...overdrawnBySettlement]) {
      const [participantId, currency] = key.split(' ') as [string, string];
      if (headroom(participantId, currency) >= 0) overdrawnBySettlement.delete(key);
    }
  }

  return {
    accounts,
    schedules,
    overdrawnBySettlement,
    get openWindowId() {
      return openWindowId;
    },
    account,
    headroom,
    payment,
    largestFitting,
    hubPosition: (currency: string) => hub.get(currency) ?? 0,

    /** The first commit after a close names the window the model calls open; every later one must name the same. */
    joinOpenWindow(windowId: string) {
      if (openWindowId === undefined) {
        openWindowId = windowId;
        windows.set(windowId, { status: 'open', nets: new Map() });
      }
      if (windowId !== openWindowId)
        throw new Error(`a transfer joined ${windowId}, but the open window is ${openWindowId}`);
    },

    commitPayment(id: string, planned: PlannedPayment) {
      apply(planned.currency, planned.moves);
      payments.push({
        id,
        payer: planned.payer,
        payee: planned.payee,
        currency: planned.currency,
        amount: planned.amount,
        refunded: 0,
        interchange: planned.fees.interchange,
        returned: 0,
      });
      counts.payments += 1;
    },

    refundablePayment: (random: Random) => (payments.length === 0 ? undefined : random.pick(payments)),

    refund(paid: ModelPayment, amount: number): PlannedRefund {
      const remaining = paid.amount - paid.refunded;
      const interchangeReturned =
        amount > remaining
          ? 0
          : Number(nearestEven(BigInt(paid.interchange) * BigInt(paid.refunded + amount), BigInt(paid.amount))) -
            paid.returned;
      const net = amount - interchangeReturned;
      const moves: Moves = new Map();
      add(moves, paid.payee, -net);
      add(moves, paid.payer, net);
      const debit = Math.max(0, -(moves.get(paid.payee) ?? 0));
      const expected =
        amount > remaining
          ? 'refund_exceeds_remaining'
          : debit === 0 || headroom(paid.payee, paid.currency) >= debit
            ? 'ok'
            : 'limit_exceeded';
      return { amount, interchangeReturned, moves, expected };
    },

    commitRefund(paid: ModelPayment, planned: PlannedRefund) {
      apply(paid.currency, planned.moves);
      paid.refunded += planned.amount;
      paid.returned += planned.interchangeReturned;
      counts.refunds += 1;
    },

    reserve(id: string, planned: PlannedPayment) {
      account(planned.payer, planned.currency).reserved += planned.payerDebit;
      reservations.push({ id, planned });
    },

    takeReservation: (random: Random) =>
      reservations.length === 0 ? undefined : reservations.splice(random.below(reservations.length), 1)[0],

    unreserve(planned: PlannedPayment) {
      account(planned.payer, planned.currency).reserved -= planned.payerDebit;
    },

    /** The hub closed `windowId` (the model's open one, if it knows it) and opened `nextWindowId`. */
    close(windowId: string, nextWindowId: string) {
      if (openWindowId !== undefined && openWindowId !== windowId)
        throw new Error(`the hub closed ${windowId}, but the open window is ${openWindowId}`);
      if (openWindowId === undefined) windows.set(windowId, { status: 'open', nets: new Map() });
      (windows.get(windowId) as ModelWindow).status = 'closed';
      openWindowId = nextWindowId;
      windows.set(nextWindowId, { status: 'open', nets: new Map() });
      counts.closes += 1;
    },

    windowNets(windowId: string): Record<string, number> {
      const nets = windows.get(windowId)?.nets ?? new Map<string, number>();
      return Object.fromEntries([...nets].filter(([, net]) => net !== 0));
    },

    settleableWindow(random: Random): string | undefined {
      const closed = [...windows].filter(([, window]) => window.status === 'closed').map(([id]) => id);
      return closed.length === 0 ? undefined : random.pick(closed);
    },

    /**
     * Settling moves every account by minus its net for the window; it may leave a receiver overdrawn, never a
     * transfer.
     */
    settle(windowId: string) {
      const window = windows.get(windowId) as ModelWindow;
      for (const [key, net] of window.nets) {
        const [accountId, currency] = key.split(' ') as [string, string];
        if (accountId === 'hub') hub.set(currency, (hub.get(currency) ?? 0) - net);
        else account(accountId, currency).position -= net;
        if (accountId !== 'hub' && headroom(accountId, currency) < 0) overdrawnBySettlement.add(key);
      }
      window.status = 'settled';
      counts.settles += 1;
    },

    refreshOverdrawn,
    stats: () => ({ ...counts }),
  };
}

export type Model = ReturnType<typeof createModel>;
