/**
 * The simulator and auditor of the money core (STYLE 12), and the property
 * test of issue 10: a seeded random workload of payments (on-us too),
 * refunds, reservations, limit and fee-schedule changes, window closes and
 * settlements between several participants in two currencies, each step
 * checked against a simple in-memory model of what every position, fee and
 * window net must be. After every step: positions (and the hub's fees,
 * derived from entries) equal the model's, sum to zero per currency, and no
 * transfer ever took a participant past its cap. A failure prints its seed;
 * `LINTAS_SIM_SEED=<seed>` replays it step for step.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { inTransaction } from '../db/index.ts';
import { setSchedule } from '../fees/index.ts';
import { operatorCaller } from '../http/index.ts';
import { minor } from '../money/index.ts';
import { closeWindow, readReport, settleWindow } from '../settlement/index.ts';
import { type TestHub, startTestHub } from '../testing/index.ts';
import {
  type Transfer,
  commitReservation,
  postPayment,
  postRefund,
  releaseReservation,
  reservePayment,
} from '../transfers/index.ts';
import { type MoneyParticipant, createMoneyParticipant } from './fixtures.test-support.ts';
import { checkLedger, setLimits } from './index.ts';
import {
  type Model,
  type ModelFees,
  type ModelSchedule,
  type Random,
  createModel,
  seededRandom,
} from './simulator-model.test-support.ts';

const seed = Number(process.env.LINTAS_SIM_SEED ?? Math.floor(Math.random() * 2 ** 31));
const stepsMax = Number(process.env.LINTAS_SIM_STEPS ?? 400);
const auditEverySteps = 50;
const participantsCount = 4;
const currencies = ['CNY', 'JPY'] as const;
const amountMax = 2_000;
const capMax = 6_000;

let hub: TestHub;
let participants: MoneyParticipant[];

beforeAll(async () => {
  hub = await startTestHub();
  participants = [];
  for (let index = 0; index < participantsCount; index += 1)
    participants.push(await createMoneyParticipant(hub, [...currencies]));
});
afterAll(async () => hub?.stop());

type Step = { describe: string; run: () => Promise<void> };

const feesOf = (transfer: Transfer): ModelFees => ({
  interchange: transfer.fees.interchange,
  issuerSwitchFee: transfer.fees.issuerSwitchFee,
  acquirerSwitchFee: transfer.fees.acquirerSwitchFee,
  merchantDiscount: transfer.fees.merchantDiscount,
});

function randomSchedule(random: Random): ModelSchedule {
  const rule = (bpsMax: number) => ({
    bps: random.between(0, bpsMax),
    fixedAmount: random.below(3) === 0 ? random.between(0, 20) : 0,
    minAmount: random.below(3) === 0 ? random.between(0, 30) : 0,
  });
  return {
    interchange: rule(300),
    issuerSwitchFee: rule(50),
    acquirerSwitchFee: rule(80),
    merchantDiscount: rule(250),
  };
}

function workload(model: Model, random: Random) {
  const ctx = () => hub.ctx;
  const inTx = <T>(work: Parameters<typeof inTransaction<T>>[1]) => inTransaction(hub.ctx.db, work);
  const anyone = () => random.pick(participants);
  /**
   * A quarter of the amounts put the payer's debit exactly at its headroom or one unit over: the boundary is where cap
   * bugs live.
   */
  const amountFor = (payer: string, payee: string, currency: string) =>
    random.below(4) === 0
      ? Math.max(1, model.largestFitting(payer, payee, currency, amountMax * 4) + random.below(2))
      : random.between(1, amountMax);

  /** A transfer committed now joins the model's open window, which the first commit after a close names. */
  const joinWindow = (transfer: Transfer) => {
    expect(transfer.windowId, `transfer ${transfer.id} joins a window`).toMatch(/^win_/);
    model.joinOpenWindow(transfer.windowId as string);
  };

  const pay = (): Step => {
    const [payer, payee, currency] = [anyone(), anyone(), random.pick(currencies)];
    const amount = amountFor(payer.id, payee.id, currency);
    const planned = model.payment(payer.id, payee.id, currency, amount);
    return {
      describe:
        `pay ${amount} ${currency} ${payer.id} -> ${payee.id} (debit ${planned.payerDebit}, expect ` +
        `${planned.fits ? 'ok' : 'limit_exceeded'})`,
      run: async () => {
        const input = {
          payerId: payer.id,
          payeeId: payee.id,
          merchantId: payee.merchantId,
          amount: minor(amount),
          currency,
          source: 'checkout' as const,
        };
        const result = await inTx((tx) => postPayment(ctx(), tx, input));
        expect(result.ok ? 'ok' : result.code).toBe(planned.fits ? 'ok' : 'limit_exceeded');
        if (!result.ok) return;
        expect(feesOf(result.value), 'payment fees').toEqual(planned.fees);
        joinWindow(result.value);
        model.commitPayment(result.value.id, planned);
      },
    };
  };

  const refund = (): Step => {
    const payment = model.refundablePayment(random);
    if (!payment) return pay();
    const remaining = payment.amount - payment.refunded;
    const amount =
      random.below(3) === 0 ? Math.max(1, remaining + random.below(2)) : random.between(1, Math.max(1, remaining));
    const planned = model.refund(payment, amount);
    return {
      describe:
        `refund ${amount} of ${payment.id} (${remaining} remaining; returns ` +
        `${planned.interchangeReturned}; expect ${planned.expected})`,
      run: async () => {
        const result = await inTx((tx) =>
          postRefund(ctx(), tx, { paymentTransferId: payment.id, amount: minor(amount) }),
        );
        expect(result.ok ? 'ok' : result.code).toBe(planned.expected);
        if (!result.ok) return;
        expect(result.value.fees, 'refund fees').toEqual({
          interchange: planned.interchangeReturned,
          issuerSwitchFee: 0,
          acquirerSwitchFee: 0,
          merchantDiscount: 0,
        });
        joinWindow(result.value);
        model.commitRefund(payment, planned);
      },
    };
  };

  const reserve = (): Step => {
    const [payer, payee, currency] = [anyone(), anyone(), random.pick(currencies)];
    const amount = amountFor(payer.id, payee.id, currency);
    const planned = model.payment(payer.id, payee.id, currency, amount);
    return {
      describe:
        `reserve ${amount} ${currency} ${payer.id} -> ${payee.id} (debit ${planned.payerDebit}, expect ` +
        `${planned.fits ? 'ok' : 'limit_exceeded'})`,
      run: async () => {
        const input = {
          payerId: payer.id,
          payeeId: payee.id,
          merchantId: payee.merchantId,
          amount: minor(amount),
          currency,
          source: 'payment_code' as const,
        };
        const result = await inTx((tx) => reservePayment(ctx(), tx, input));
        expect(result.ok ? 'ok' : result.code).toBe(planned.fits ? 'ok' : 'limit_exceeded');
        if (!result.ok) return;
        expect(result.value.windowId).toBeNull();
        model.reserve(result.value.id, planned);
      },
    };
  };

  const settleReservation = (commit: boolean): Step => {
    const reservation = model.takeReservation(random);
    if (!reservation) return reserve();
    return {
      describe: `${commit ? 'commit' : 'release'} ${reservation.id} (debit ${reservation.planned.payerDebit})`,
      run: async () => {
        const transfer = await inTx((tx) =>
          commit ? commitReservation(ctx(), tx, reservation.id) : releaseReservation(ctx(), tx, reservation.id),
        );
        expect(transfer.status).toBe(commit ? 'committed' : 'released');
        model.unreserve(reservation.planned);
        if (!commit) return;
        joinWindow(transfer);
        model.commitPayment(reservation.id, reservation.planned);
      },
    };
  };

  /** The operator raises or lowers a cap, never below what is already used: no headroom is negative by decree. */
  const changeLimits = (): Step => {
    const [participant, currency] = [anyone(), random.pick(currencies)];
    const account = model.account(participant.id, currency);
    const prefunding = random.between(0, 1_000);
    const cap = Math.max(account.reserved - account.position - prefunding, 0, random.between(0, capMax));
    return {
      describe: `limits ${participant.id} ${currency}: cap ${cap}, prefunding ${prefunding}`,
      run: async () => {
        expect(
          (await setLimits(hub.ctx, operatorCaller, participant.id, { currency, netDebitCap: cap, prefunding })).ok,
        ).toBe(true);
        Object.assign(account, { cap, prefunding });
      },
    };
  };

  const changeSchedule = (): Step => {
    const currency = random.pick(currencies);
    const schedule = randomSchedule(random);
    return {
      describe: `fee schedule ${currency}: ${JSON.stringify(schedule)}`,
      run: async () => {
        expect((await setSchedule(hub.ctx, operatorCaller, currency, schedule)).ok).toBe(true);
        model.schedules.set(currency, schedule);
      },
    };
  };

  /** Closes the open window; its report's nets must equal the model's and sum to zero per currency. */
  const close = (): Step => ({
    describe: `close the open window ${model.openWindowId ?? '(not yet named)'}`,
    run: async () => {
      const closed = await closeWindow(ctx(), { actor: systemActor });
      expect(closed?.status).toBe('closed');
      const { id, nextWindowId } = closed as { id: string; nextWindowId: string };
      model.close(id, nextWindowId);
      const report = await readReport(ctx(), id, { type: 'all' });
      if (!report.ok) throw new Error(report.detail);
      const nets = Object.fromEntries(
        report.value.lines
          .filter((line) => line.net !== 0)
          .map((line) => [`${line.participantId} ${line.currency}`, line.net]),
      );
      expect(nets, `the report of ${id} equals the model's nets`).toEqual(model.windowNets(id));
      for (const currency of currencies) {
        expect(
          report.value.lines.filter((line) => line.currency === currency).reduce((sum, line) => sum + line.net, 0),
          `nets of ${id} in ${currency}`,
        ).toBe(0);
      }
    },
  });

  const settle = (): Step => {
    const windowId = model.settleableWindow(random);
    if (windowId === undefined) return close();
    return {
      describe: `settle ${windowId}`,
      run: async () => {
        const settled = await settleWindow(ctx(), windowId, { actor: systemActor });
        expect(settled.ok && settled.value.status).toBe('settled');
        model.settle(windowId);
        const again = await settleWindow(ctx(), windowId, { actor: systemActor });
        expect(again.ok || again.code).toBe('window_already_settled');
      },
    };
  };

  const weighted: [number, () => Step][] = [
    [32, pay],
    [15, refund],
    [10, reserve],
    [6, () => settleReservation(true)],
    [5, () => settleReservation(false)],
    [6, changeLimits],
    [3, changeSchedule],
    [11, close],
    [12, settle],
  ];
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0);
  return (): Step => {
    let draw = random.below(total);
    for (const [weight, make] of weighted) {
      if (draw < weight) return make();
      draw -= weight;
    }
    throw new Error('unreachable: the weights cover every draw');
  };
}

/** The auditor: the database against the model, and the invariants no step may break. */
async function audit(model: Model): Promise<void> {
  const db = hub.ctx.db.kysely;
  const rows = await db
    .selectFrom('positions')
    .select(['participant_id', 'currency', 'position', 'reserved'])
    .execute();
  const actual = new Map(
    rows.map((row) => [`${row.participant_id} ${row.currency}`, { position: row.position, reserved: row.reserved }]),
  );
  for (const [key, account] of model.accounts) {
    expect(actual.get(key) ?? { position: 0, reserved: 0 }, `position ${key}`).toEqual({
      position: account.position,
      reserved: account.reserved,
    });
  }
  const hubRows = await db
    .selectFrom('ledger_entries')
    .select(['currency', (eb) => eb.fn.sum<number>('amount').as('sum')])
    .where('account', '=', 'hub')
    .groupBy('currency')
    .execute();
  for (const currency of currencies) {
    const hubFees = Number(hubRows.find((row) => row.currency === currency)?.sum ?? 0);
    expect(hubFees, `the hub's fees in ${currency}, derived from entries`).toBe(model.hubPosition(currency));
    const sum = rows.filter((row) => row.currency === currency).reduce((total, row) => total + row.position, hubFees);
    expect(sum, `positions and the hub in ${currency} sum to zero`).toBe(0);
  }
  model.refreshOverdrawn();
  for (const [key, account] of model.accounts) {
    if (model.overdrawnBySettlement.has(key)) continue;
    expect(
      account.cap + account.prefunding + account.position - account.reserved,
      `headroom of ${key} never below zero by a transfer`,
    ).toBeGreaterThanOrEqual(0);
  }
}

test(`a seeded workload keeps every position equal to the model, sums to zero and never passes a cap (seed ` +
  `${seed})`, async () => {
  const random = seededRandom(seed);
  const model = createModel();
  for (const currency of currencies) {
    const schedule = randomSchedule(random);
    await setSchedule(hub.ctx, operatorCaller, currency, schedule);
    model.schedules.set(currency, schedule);
    for (const participant of participants) {
      const cap = random.between(0, capMax);
      await setLimits(hub.ctx, operatorCaller, participant.id, { currency, netDebitCap: cap, prefunding: 0 });
      model.account(participant.id, currency).cap = cap;
    }
  }
  const nextStep = workload(model, random);
  const history: string[] = [];
  let step = 0;
  try {
    for (step = 1; step <= stepsMax; step += 1) {
      const planned = nextStep();
      history.push(`${step}: ${planned.describe}`);
      await planned.run();
      await audit(model);
      if (step % auditEverySteps === 0) expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    }
    expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
  } catch (error) {
    const replay =
      `simulator failed at step ${step} with seed ${seed}; replay: LINTAS_SIM_SEED=${seed} npx vitest ` +
      `run src/ledger/simulator.test.ts`;
    process.stderr.write(`${replay}\nlast steps:\n  ${history.slice(-10).join('\n  ')}\n`);
    throw new Error(`${replay}\n${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  expect(model.stats()).toMatchObject({ payments: expect.any(Number), closes: expect.any(Number) });
  expect(model.stats().payments).toBeGreaterThan(0);
  expect(model.stats().settles).toBeGreaterThan(0);
}, 180_000);
