import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Tx, inTransaction } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type TestHub, startTestHub } from '../testing/index.ts';
import { type MoneyParticipant, createMoneyParticipant, setLimits } from './fixtures.test-support.ts';
import { type Transfer, postPayment, postRefund, releaseReservation, reservePayment } from '../transfers/index.ts';
import { systemActor } from '../audit/index.ts';
import { setSchedule } from '../fees/index.ts';
import { operatorCaller } from '../http/index.ts';
import { closeWindow, settleWindow } from '../settlement/index.ts';
import { type LedgerCliIo, registerLedgerCommands } from './cli.ts';
import { checkLedger, hubAccount, postEntries } from './index.ts';

let hub: TestHub;
let issuer: MoneyParticipant;
let acquirer: MoneyParticipant;
let payment: Transfer;
let refund: Transfer;
let reserved: Transfer;
let later: Transfer;
let laterRefund: Transfer;
let settledWindowId: string;

async function must<T>(result: Promise<{ ok: true; value: T } | { ok: false; detail: string }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(settled.detail);
  return settled.value;
}

/**
 * A world with every kind of transfer and every kind of group: fee-bearing
 * payments (CNY: interchange 1 %, switch fees 5 + 5), an on-us one, a
 * fee-free one (JPY), a refund, a pending and a released reservation; the
 * first window closed and settled, and a payment and a refund in the next.
 */
beforeAll(async () => {
  hub = await startTestHub();
  issuer = await createMoneyParticipant(hub, ['CNY', 'JPY']);
  acquirer = await createMoneyParticipant(hub, ['CNY', 'JPY']);
  await setLimits(hub, issuer.id, 'CNY', 100_000);
  await setLimits(hub, issuer.id, 'JPY', 100_000);
  await setLimits(hub, acquirer.id, 'CNY', 100_000);
  const schedule = {
    interchange: { bps: 100 },
    issuerSwitchFee: { bps: 0, fixedAmount: 5 },
    acquirerSwitchFee: { bps: 0, fixedAmount: 5 },
    merchantDiscount: { bps: 0 },
  };
  await setSchedule(hub.ctx, operatorCaller, 'CNY', schedule);
  const base = {
    payerId: issuer.id,
    payeeId: acquirer.id,
    merchantId: acquirer.merchantId,
    currency: 'CNY',
    source: 'checkout' as const,
  };
  const run = <T>(work: (tx: Tx) => Promise<T>) => inTransaction(hub.ctx.db, work);
  payment = await must(run((tx) => postPayment(hub.ctx, tx, { ...base, amount: minor(5_000) }))); // 3 entries
  await must(run((tx) => postPayment(hub.ctx, tx, { ...base, amount: minor(700), currency: 'JPY' }))); // 2
  await must(
    run((tx) =>
      postPayment(hub.ctx, tx, { ...base, payeeId: issuer.id, merchantId: issuer.merchantId, amount: minor(300) }),
    ),
  ); // 3
  // 2
  refund = await must(run((tx) => postRefund(hub.ctx, tx, { paymentTransferId: payment.id, amount: minor(1_200) })));
  reserved = await must(
    run((tx) => reservePayment(hub.ctx, tx, { ...base, amount: minor(900), source: 'payment_code' })),
  );
  const released = await must(
    run((tx) => reservePayment(hub.ctx, tx, { ...base, amount: minor(400), source: 'payment_code' })),
  );
  await run((tx) => releaseReservation(hub.ctx, tx, released.id));
  const closed = await closeWindow(hub.ctx, { actor: systemActor });
  settledWindowId = closed?.id as string;
  await must(settleWindow(hub.ctx, settledWindowId, { actor: systemActor })); // CNY: 3 entries, JPY: 2
  later = await must(run((tx) => postPayment(hub.ctx, tx, { ...base, amount: minor(1_000) }))); // 3
  // 2
  laterRefund = await must(run((tx) => postRefund(hub.ctx, tx, { paymentTransferId: later.id, amount: minor(500) })));
});
afterAll(async () => hub?.stop());

class RolledBack extends Error {}

/** Plants a violation, checks, and rolls the plant back so each row starts from the clean world. */
async function checkWithPlant(plant: (tx: Tx) => Promise<unknown>) {
  let verdict: Awaited<ReturnType<typeof checkLedger>> | undefined;
  await inTransaction(hub.ctx.db, async (tx) => {
    await plant(tx);
    verdict = await checkLedger(tx);
    throw new RolledBack();
  }).catch((error: unknown) => {
    if (!(error instanceof RolledBack)) throw error;
  });
  return verdict;
}

/** The entries of a settlement group of the settled window, in one currency. */
async function settlementOf(tx: Tx, currency: string): Promise<string> {
  const row = await tx
    .selectFrom('settlements')
    .select('id')
    .where('window_id', '=', settledWindowId)
    .where('currency', '=', currency)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('checkLedger', () => {
  test('passes on a clean database and says what it checked', async () => {
    expect(await checkLedger(hub.ctx.db.kysely)).toEqual({
      ok: true,
      value: { transfers: 8, entries: 20, positions: 4, currencies: 2, windows: 2 },
    });
  });

  test('after the settlement, positions hold only the open window: the later payment and refund', async () => {
    // 1 000 with interchange 10, switch fees 5 + 5; its refund of 500 returns 5 of interchange.
    const positions = await hub.ctx.db.kysely
      .selectFrom('positions')
      .select(['participant_id', 'currency', 'position', 'reserved'])
      .where('currency', '=', 'CNY')
      .execute();
    const of = (participant: MoneyParticipant) => positions.find((row) => row.participant_id === participant.id);
    expect(of(issuer)).toMatchObject({ position: -(1_000 - 10 + 5) + (500 - 5), reserved: 900 - 9 + 5 });
    expect(of(acquirer)).toMatchObject({ position: 1_000 - 10 - 5 - (500 - 5) });
  });

  test("a fee-bearing transfer with the hub's derived account passes", async () => {
    const verdict = await checkWithPlant(async (tx) => {
      const row = await tx.selectFrom('transfers').selectAll().where('id', '=', later.id).executeTakeFirstOrThrow();
      await tx
        .insertInto('transfers')
        .values({ ...row, id: 'trf_withfees', receipt_number: '000000000000', payer_ref: null, refunded_amount: 0 })
        .execute();
      await postEntries(tx, {
        transferId: 'trf_withfees',
        currency: 'CNY',
        postings: [
          { account: issuer.id, amount: minor(-995) },
          { account: acquirer.id, amount: minor(985) },
          { account: hubAccount, amount: minor(10) },
        ],
        at: hub.clock.now().toISOString(),
      });
    });
    expect(verdict).toMatchObject({ ok: true, value: { transfers: 9, entries: 23 } });
  });

  const moveOne = (tx: Tx, participant: MoneyParticipant, by: number) =>
    tx
      .updateTable('positions')
      .set((eb) => ({ position: eb('position', '+', by) }))
      .where('participant_id', '=', participant.id)
      .where('currency', '=', 'CNY')
      .execute();

  // One row per violation, in the order the check looks for them.
  const plants: { code: string; detail: RegExp; plant: (tx: Tx) => Promise<unknown> }[] = [
    {
      code: 'entries_unbalanced',
      detail: /CNY entries sum to 1, not 0/,
      plant: (tx) =>
        tx
          .insertInto('ledger_entries')
          .values({
            id: 'ent_planted',
            transfer_id: payment.id,
            account: issuer.id,
            currency: 'CNY',
            amount: 1,
            created_at: payment.createdAt,
          })
          .execute(),
    },
    {
      code: 'entries_without_transfer',
      detail: /names transfer trf_ghost, which does not exist/,
      plant: (tx) =>
        tx
          .insertInto('ledger_entries')
          .values([
            {
              id: 'ent_ghost_00',
              transfer_id: 'trf_ghost',
              account: issuer.id,
              currency: 'CNY',
              amount: -1,
              created_at: payment.createdAt,
            },
            {
              id: 'ent_ghost_01',
              transfer_id: 'trf_ghost',
              account: acquirer.id,
              currency: 'CNY',
              amount: 1,
              created_at: payment.createdAt,
            },
          ])
          .execute(),
    },
    {
      code: 'entry_currency_mismatch',
      detail: /is in JPY, its transfer .* in CNY/,
      plant: (tx) =>
        tx.updateTable('ledger_entries').set({ currency: 'JPY' }).where('transfer_id', '=', payment.id).execute(),
    },
    {
      code: 'entry_currency_mismatch',
      detail: /is in JPY, its transfer stl_.* in CNY/,
      plant: async (tx) =>
        tx
          .updateTable('ledger_entries')
          .set({ currency: 'JPY' })
          .where('transfer_id', '=', await settlementOf(tx, 'CNY'))
          .execute(),
    },
    {
      code: 'committed_without_entries',
      detail: /is committed but posted no entries/,
      plant: (tx) => tx.deleteFrom('ledger_entries').where('transfer_id', '=', refund.id).execute(),
    },
    {
      code: 'uncommitted_with_entries',
      detail: /is reserved but has entries/,
      plant: (tx) =>
        postEntries(tx, {
          transferId: reserved.id,
          currency: 'CNY',
          postings: [
            { account: issuer.id, amount: minor(-900) },
            { account: acquirer.id, amount: minor(900) },
          ],
          at: reserved.createdAt,
        }),
    },
    {
      code: 'transfer_window_invalid',
      detail: /is committed with no window/,
      plant: (tx) => tx.updateTable('transfers').set({ window_id: null }).where('id', '=', later.id).execute(),
    },
    {
      code: 'transfer_window_invalid',
      detail: /business date 1999-01-01, its window's is/,
      plant: (tx) =>
        tx.updateTable('transfers').set({ business_date: '1999-01-01' }).where('id', '=', later.id).execute(),
    },
    {
      code: 'transfer_window_invalid',
      detail: /is reserved with window/,
      plant: (tx) =>
        tx.updateTable('transfers').set({ window_id: later.windowId }).where('id', '=', reserved.id).execute(),
    },
    {
      code: 'window_report_mismatch',
      detail: new RegExp(`window ${'win_'}.*: its report aggregates differ from its transfers`),
      plant: (tx) =>
        tx
          .updateTable('transfers')
          .set({ window_id: settledWindowId, business_date: payment.businessDate })
          .where('id', '=', later.id)
          .execute(),
    },
    {
      code: 'settlement_mismatch',
      detail: /posts for window .*, which is closed/,
      plant: (tx) =>
        tx.updateTable('settlement_windows').set({ status: 'closed' }).where('id', '=', settledWindowId).execute(),
    },
    {
      code: 'settlement_mismatch',
      detail: /settled window .*: account .* CNY is left at 1, not 0/,
      plant: async (tx) => {
        const id = await settlementOf(tx, 'CNY');
        await tx
          .updateTable('ledger_entries')
          .set((eb) => ({ amount: eb('amount', '+', 1) }))
          .where('transfer_id', '=', id)
          .where('account', '=', issuer.id)
          .execute();
        await tx
          .updateTable('ledger_entries')
          .set((eb) => ({ amount: eb('amount', '-', 1) }))
          .where('transfer_id', '=', id)
          .where('account', '=', acquirer.id)
          .execute();
      },
    },
    {
      code: 'currency_not_zero',
      detail: /in CNY the positions and the hub's account sum to 1, not 0/,
      plant: (tx) => moveOne(tx, issuer, 1),
    },
    {
      code: 'position_mismatch',
      detail: /CNY is -499; its entries sum to -500/,
      plant: async (tx) => {
        await moveOne(tx, issuer, 1);
        await moveOne(tx, acquirer, -1);
      },
    },
    {
      code: 'reserved_mismatch',
      detail: /has 897 reserved; its reserved transfers will debit 896/,
      plant: (tx) =>
        tx
          .updateTable('positions')
          .set((eb) => ({ reserved: eb('reserved', '+', 1) }))
          .where('participant_id', '=', issuer.id)
          .where('currency', '=', 'CNY')
          .execute(),
    },
    {
      code: 'refunded_amount_mismatch',
      detail: /shows 400 refunded; its committed refunds sum to 500/,
      plant: (tx) => tx.updateTable('transfers').set({ refunded_amount: 400 }).where('id', '=', later.id).execute(),
    },
    {
      code: 'refund_fees_mismatch',
      detail: /charged 10 interchange; its refunds and chargebacks returned 11/,
      plant: (tx) => tx.updateTable('transfers').set({ interchange: 11 }).where('id', '=', laterRefund.id).execute(),
    },
    {
      code: 'disputed_amount_mismatch',
      detail: /has 500 refunded and 501 disputed; its chargebacks sum to 0/,
      plant: (tx) => tx.updateTable('transfers').set({ disputed_amount: 501 }).where('id', '=', later.id).execute(),
    },
  ];

  test.each(plants)('finds $code ($detail)', async ({ code, detail, plant }) => {
    const verdict = await checkWithPlant(plant);
    expect(verdict).toMatchObject({ ok: false, code });
    expect(verdict?.ok === false && verdict.detail).toMatch(detail);
  });

  test('the world is clean again after the plants', async () => {
    expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
  });
});

function captureIo(env: NodeJS.ProcessEnv) {
  const captured = { out: '', err: '', exitCode: undefined as number | undefined };
  const io: LedgerCliIo = {
    out: (text) => (captured.out += text),
    err: (text) => (captured.err += text),
    setExitCode: (code) => (captured.exitCode = code),
    env,
  };
  return { captured, io };
}

async function runLedgerCli(args: string[], env: NodeJS.ProcessEnv) {
  const { captured, io } = captureIo(env);
  const program = new Command('lintas').exitOverride();
  registerLedgerCommands(program, io);
  // The command opens a connection of its own, as it would in its own process: what the hub wrote is committed
  // first, as it is before any answer of the hub leaves. In one process SQLite's wait for a lock blocks the
  // thread the hub would commit on, so the hub's timed jobs stop first (the tests drive them with runOnce).
  await Promise.all(Object.values(hub.workers).map((worker) => worker.stop()));
  await hub.ctx.db.durable();
  await program.parseAsync(['ledger', 'check', ...args], { from: 'user' });
  return captured;
}

async function runBinary(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/lintas.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, output };
}

describe('lintas ledger check', () => {
  test('takes the database from --db, else LINTAS_DB; never creates a missing SQLite file', async () => {
    const byFlag = await runLedgerCli(['--db', hub.config.db], {});
    expect(byFlag.exitCode).toBe(0);
    expect(byFlag.out).toContain('ledger check passed');
    expect(byFlag.out).toContain('8 transfers, 20 entries, 4 positions, 2 currencies, 2 windows');
    const byEnv = await runLedgerCli([], { LINTAS_DB: hub.config.db });
    expect(byEnv.exitCode).toBe(0);

    const missing = join(hub.config.dataDir, 'absent', 'nothing.sqlite');
    const absent = await runLedgerCli(['--db', missing], {});
    expect(absent).toMatchObject({ exitCode: 2, err: expect.stringContaining(`no database at ${missing}: `) });
    expect(existsSync(missing)).toBe(false);
  });

  test('the real command exits 0 on a clean ledger and 1 with the first violation', async () => {
    const clean = await runBinary(['ledger', 'check', '--db', hub.config.db]);
    expect(clean.output).toContain('ledger check passed');
    expect(clean.code).toBe(0);

    await sql`update positions set reserved = reserved + 7 where participant_id = ${acquirer.id} and currency =
      'CNY'`.execute(hub.ctx.db.kysely);
    const broken = await runBinary(['ledger', 'check', '--db', hub.config.db]);
    expect(broken.output).toContain(`ledger check FAILED`);
    expect(broken.output).toContain(
      `reserved_mismatch: position ${acquirer.id} CNY has 7 reserved; its reserved transfers will debit 0`,
    );
    expect(broken.code).toBe(1);
  });
});
