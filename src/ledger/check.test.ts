import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Tx, inTransaction } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type TestHub, startTestHub } from '../testing/index.ts';
import { type MoneyParticipant, createMoneyParticipant, setLimits } from './fixtures.ts';
import { type Transfer, postPayment, postRefund, releaseReservation, reservePayment } from '../transfers/index.ts';
import { type LedgerCliIo, checkLedger, hubAccount, postEntries, registerLedgerCommands } from './index.ts';

let hub: TestHub;
let issuer: MoneyParticipant;
let acquirer: MoneyParticipant;
let payment: Transfer;
let refund: Transfer;
let reserved: Transfer;

async function must<T>(result: Promise<{ ok: true; value: T } | { ok: false; detail: string }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(settled.detail);
  return settled.value;
}

/** A world with every kind of transfer: payments, an on-us one, a refund, a pending and a released reservation. */
beforeAll(async () => {
  hub = await startTestHub();
  issuer = await createMoneyParticipant(hub, ['CNY', 'JPY']);
  acquirer = await createMoneyParticipant(hub, ['CNY', 'JPY']);
  await setLimits(hub, issuer.id, 'CNY', 100_000);
  await setLimits(hub, issuer.id, 'JPY', 100_000);
  const base = { payerId: issuer.id, payeeId: acquirer.id, merchantId: acquirer.merchantId, currency: 'CNY', source: 'checkout' as const };
  const run = <T>(work: (tx: Tx) => Promise<T>) => inTransaction(hub.ctx.db, work);
  payment = await must(run((tx) => postPayment(hub.ctx, tx, { ...base, amount: minor(5_000) })));
  await must(run((tx) => postPayment(hub.ctx, tx, { ...base, amount: minor(700), currency: 'JPY' })));
  await must(run((tx) => postPayment(hub.ctx, tx, { ...base, payeeId: issuer.id, merchantId: issuer.merchantId, amount: minor(300) })));
  refund = await must(run((tx) => postRefund(hub.ctx, tx, { paymentTransferId: payment.id, amount: minor(1_200) })));
  reserved = await must(run((tx) => reservePayment(hub.ctx, tx, { ...base, amount: minor(900), source: 'payment_code' })));
  const released = await must(run((tx) => reservePayment(hub.ctx, tx, { ...base, amount: minor(400), source: 'payment_code' })));
  await run((tx) => releaseReservation(hub.ctx, tx, released.id));
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

describe('checkLedger', () => {
  test('passes on a clean database and says what it checked', async () => {
    expect(await checkLedger(hub.ctx.db.kysely)).toEqual({ ok: true, value: { transfers: 6, entries: 8, positions: 4, currencies: 2 } });
  });

  test("a fee-bearing transfer with the hub's derived account passes", async () => {
    const verdict = await checkWithPlant(async (tx) => {
      const row = await tx.selectFrom('transfers').selectAll().where('id', '=', payment.id).executeTakeFirstOrThrow();
      await tx.insertInto('transfers').values({ ...row, id: 'trf_withfees', receipt_number: '000000000000', payer_ref: null, refunded_amount: 0 }).execute();
      await postEntries(tx, {
        transferId: 'trf_withfees',
        currency: 'CNY',
        postings: [
          { account: issuer.id, amount: minor(-5_010) },
          { account: acquirer.id, amount: minor(4_990) },
          { account: hubAccount, amount: minor(20) },
        ],
        at: hub.clock.now().toISOString(),
      });
    });
    expect(verdict).toMatchObject({ ok: true, value: { transfers: 7, entries: 11 } });
  });

  // One row per violation, in the order the check looks for them.
  const plants: { code: string; detail: RegExp; plant: (tx: Tx) => Promise<unknown> }[] = [
    {
      code: 'entries_unbalanced',
      detail: /CNY entries sum to 1, not 0/,
      plant: (tx) => tx.insertInto('ledger_entries').values({ id: 'ent_planted', transfer_id: payment.id, account: issuer.id, currency: 'CNY', amount: 1, created_at: payment.createdAt }).execute(),
    },
    {
      code: 'entries_without_transfer',
      detail: /names transfer trf_ghost, which does not exist/,
      plant: (tx) =>
        tx
          .insertInto('ledger_entries')
          .values([
            { id: 'ent_ghost_00', transfer_id: 'trf_ghost', account: issuer.id, currency: 'CNY', amount: -1, created_at: payment.createdAt },
            { id: 'ent_ghost_01', transfer_id: 'trf_ghost', account: acquirer.id, currency: 'CNY', amount: 1, created_at: payment.createdAt },
          ])
          .execute(),
    },
    {
      code: 'entry_currency_mismatch',
      detail: /is in JPY, its transfer .* in CNY/,
      plant: (tx) => tx.updateTable('ledger_entries').set({ currency: 'JPY' }).where('transfer_id', '=', payment.id).execute(),
    },
    {
      code: 'committed_without_entries',
      detail: /is committed but posted no entries/,
      plant: (tx) => tx.deleteFrom('ledger_entries').where('transfer_id', '=', refund.id).execute(),
    },
    {
      code: 'uncommitted_with_entries',
      detail: /is reserved but has entries/,
      plant: (tx) => postEntries(tx, { transferId: reserved.id, currency: 'CNY', postings: [{ account: issuer.id, amount: minor(-900) }, { account: acquirer.id, amount: minor(900) }], at: reserved.createdAt }),
    },
    {
      code: 'currency_not_zero',
      detail: /in CNY the positions and the hub's account sum to 1, not 0/,
      plant: (tx) => tx.updateTable('positions').set((eb) => ({ position: eb('position', '+', 1) })).where('participant_id', '=', issuer.id).where('currency', '=', 'CNY').execute(),
    },
    {
      code: 'position_mismatch',
      detail: /CNY is -3799; its entries sum to -3800/,
      plant: async (tx) => {
        await tx.updateTable('positions').set((eb) => ({ position: eb('position', '+', 1) })).where('participant_id', '=', issuer.id).where('currency', '=', 'CNY').execute();
        await tx.updateTable('positions').set((eb) => ({ position: eb('position', '-', 1) })).where('participant_id', '=', acquirer.id).where('currency', '=', 'CNY').execute();
      },
    },
    {
      code: 'reserved_mismatch',
      detail: /has 901 reserved; its reserved transfers sum to 900/,
      plant: (tx) => tx.updateTable('positions').set((eb) => ({ reserved: eb('reserved', '+', 1) })).where('participant_id', '=', issuer.id).where('currency', '=', 'CNY').execute(),
    },
    {
      code: 'refunded_amount_mismatch',
      detail: /shows 1000 refunded; its committed refunds sum to 1200/,
      plant: (tx) => tx.updateTable('transfers').set({ refunded_amount: 1_000 }).where('id', '=', payment.id).execute(),
    },
  ];

  test.each(plants)('finds $code', async ({ code, detail, plant }) => {
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
    expect(byFlag.out).toContain('6 transfers, 8 entries, 4 positions, 2 currencies');
    const byEnv = await runLedgerCli([], { LINTAS_DB: hub.config.db });
    expect(byEnv.exitCode).toBe(0);

    const missing = join(hub.config.dataDir, 'absent', 'nothing.sqlite');
    const absent = await runLedgerCli(['--db', missing], {});
    expect(absent).toMatchObject({ exitCode: 2, err: `no database at ${missing}\n` });
    expect(existsSync(missing)).toBe(false);
  });

  test('the real command exits 0 on a clean ledger and 1 with the first violation', async () => {
    const clean = await runBinary(['ledger', 'check', '--db', hub.config.db]);
    expect(clean.output).toContain('ledger check passed');
    expect(clean.code).toBe(0);

    await sql`update positions set reserved = reserved + 7 where participant_id = ${acquirer.id} and currency = 'CNY'`.execute(hub.ctx.db.kysely);
    const broken = await runBinary(['ledger', 'check', '--db', hub.config.db]);
    expect(broken.output).toContain(`ledger check FAILED`);
    expect(broken.output).toContain(`reserved_mismatch: position ${acquirer.id} CNY has 7 reserved; its reserved transfers sum to 0`);
    expect(broken.code).toBe(1);
  });
});
