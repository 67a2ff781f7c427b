import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { checkLedger } from '../ledger/index.ts';
import {
  type MoneyParticipant,
  createMoneyParticipant,
  setLimits,
  withConcurrentContext,
} from '../ledger/fixtures.test-support.ts';
import { minor } from '../money/index.ts';
import { type TestHub, bearerClient, startTestHub, testEngine } from '../testing/index.ts';
import { postPayment } from '../transfers/index.ts';
import { type SettleCliIo, registerSettleCommands } from './cli.ts';
import { parseCutoff } from './index.ts';

let hub: TestHub;
let operator: ReturnType<typeof bearerClient>;
let issuer: MoneyParticipant;
let acquirer: MoneyParticipant;
let bystander: MoneyParticipant;

beforeAll(async () => {
  hub = await startTestHub();
  operator = bearerClient(hub, hub.operatorToken);
  issuer = await createMoneyParticipant(hub);
  acquirer = await createMoneyParticipant(hub);
  bystander = await createMoneyParticipant(hub);
  await setLimits(hub, issuer.id, 'CNY', 10_000_000);
});
afterAll(async () => hub?.stop());

function pay(amount: number, ctx = hub.ctx) {
  const input = {
    payerId: issuer.id,
    payeeId: acquirer.id,
    merchantId: acquirer.merchantId,
    amount: minor(amount),
    currency: 'CNY',
    source: 'checkout' as const,
  };
  return inTransaction(ctx.db, (tx) => postPayment(ctx, tx, input));
}

async function eventsOf(participant: MoneyParticipant, type: string) {
  const rows = await hub.ctx.db.kysely
    .selectFrom('events as e')
    .innerJoin('event_participants as p', 'p.event_id', 'e.id')
    .select(['e.data'])
    .where('e.type', '=', type)
    .where('p.participant_id', '=', participant.id)
    .orderBy('e.id')
    .execute();
  return rows.map((row) => JSON.parse(row.data) as { id: string; status: string; lines: unknown[] });
}

describe('settlement windows', () => {
  test(
    'one window is open from the start; participants read windows; only the operator closes and ' + 'settles',
    async () => {
      const open = await issuer.call('GET', '/v1/settlement-windows?status=open');
      expect(open.body.data).toHaveLength(1);
      expect(open.body.data[0]).toMatchObject({ status: 'open', closedAt: null, settledAt: null, nextWindowId: null });
      expect(await issuer.call('POST', '/v1/settlement-windows/close')).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
      expect(await issuer.call('POST', `/v1/settlement-windows/${open.body.data[0].id}/settle`)).toMatchObject({
        status: 403,
        body: { code: 'forbidden' },
      });
      expect(await operator('GET', '/v1/settlement-windows/win_nothing')).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect((await operator('GET', '/v1/settlement-windows/win_nothing/report')).body.code).toBe('not_found');
      expect(await operator('POST', '/v1/settlement-windows/win_nothing/settle')).toMatchObject({
        status: 404,
        body: { code: 'not_found' },
      });
      expect(
        (await operator('POST', '/v1/settlement-windows/close', undefined, { omitIdempotencyKey: true })).body.code,
      ).toBe('idempotency_key_missing');
    },
  );

  test(
    'closing tells each participant in the window its own lines; settling tells them again; a bystander hears ' +
      'nothing',
    async () => {
      expect((await pay(2_500)).ok).toBe(true);
      const closed = await operator('POST', '/v1/settlement-windows/close');
      const settled = await operator('POST', `/v1/settlement-windows/${closed.body.id}/settle`);
      expect(settled.body.status).toBe('settled');
      const [closedEvent] = await eventsOf(issuer, 'settlement_window.closed');
      expect(closedEvent).toMatchObject({
        id: closed.body.id,
        status: 'closed',
        lines: [{ participantId: issuer.id, currency: 'CNY', sent: 2_500, net: -2_500 }],
      });
      expect((await eventsOf(acquirer, 'settlement_window.closed'))[0]?.lines).toEqual([
        {
          participantId: acquirer.id,
          currency: 'CNY',
          sent: 0,
          received: 2_500,
          feesPaid: 0,
          feesReceived: 0,
          net: 2_500,
        },
      ]);
      expect((await eventsOf(acquirer, 'settlement_window.settled'))[0]).toMatchObject({
        id: closed.body.id,
        status: 'settled',
      });
      expect(await eventsOf(bystander, 'settlement_window.closed')).toEqual([]);
      const list = await operator('GET', '/v1/settlement-windows?status=settled');
      expect(list.body.data.map((window: { id: string }) => window.id)).toEqual([closed.body.id]);
      const audit = await operator('GET', `/v1/audit-events?objectId=${closed.body.id}`);
      expect(audit.body.data.map((event: { action: string }) => event.action)).toEqual([
        'settlement_window.closed',
        'settlement_window.settled',
      ]);
    },
  );

  test('an empty window closes and reports nothing', async () => {
    const closed = await operator('POST', '/v1/settlement-windows/close');
    const report = await operator('GET', `/v1/settlement-windows/${closed.body.id}/report`);
    expect(report.body).toMatchObject({
      lines: [],
      bilateral: [],
      merchants: [],
      counts: { transfers: 0, payments: 0, refunds: 0, chargebacks: 0 },
    });
    expect((await operator('POST', `/v1/settlement-windows/${closed.body.id}/settle`)).body.status).toBe('settled');
  });

  test(
    'closes racing payments never split a transfer: each sits in exactly one window and every report equals its ' +
      'transfers',
    async () => {
      const rounds = 6;
      const paymentsPerRound = 20;
      const closeEarly = await operator('POST', '/v1/settlement-windows/close');
      const results = await withConcurrentContext(hub, async (ctx) => {
        const rows = [];
        // Each round: a close lands among twenty payments in flight.
        for (let round = 0; round < rounds; round += 1) {
          const waitMs = (ms: number) => new Promise((done) => setTimeout(done, ms));
          const payments = Array.from({ length: paymentsPerRound }, (_, index) =>
            waitMs(2 * index).then(() => pay(10, ctx)),
          );
          const close = waitMs(paymentsPerRound + round).then(() => operator('POST', '/v1/settlement-windows/close'));
          rows.push({ payments: await Promise.all(payments), close: await close });
        }
        return rows;
      });
      const payments = results.flatMap((row) => row.payments);
      expect(payments.every((result) => result.ok)).toBe(true);
      expect(results.map((row) => row.close.status)).toEqual(Array(rounds).fill(200));
      const closedIds = new Set(results.map((row) => row.close.body.id));
      const windowOf = (result: (typeof payments)[number]) => (result.ok ? (result.value.windowId as string) : '');
      expect(payments.every((result) => windowOf(result) !== closeEarly.body.id)).toBe(true);
      let reported = 0;
      for (const id of closedIds) {
        const report = await operator('GET', `/v1/settlement-windows/${id}/report`);
        const inWindow = payments.filter((result) => windowOf(result) === id).length;
        expect(report.body.counts.payments, `window ${id}`).toBe(inWindow);
        reported += inWindow;
      }
      const stillOpen = payments.filter((result) => !closedIds.has(windowOf(result))).length;
      expect(reported + stillOpen).toBe(rounds * paymentsPerRound);
      expect(await checkLedger(hub.ctx.db.kysely)).toMatchObject({ ok: true });
    },
  );
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('PostgreSQL: the window lock', () => {
  if (testEngine() !== 'postgres') {
    console.log(
      'skipped on SQLite, by design: SQLite runs one transaction at a time, so a close can never meet a transfer ' +
        'in flight; the PostgreSQL run covers it',
    );
  }
  test.runIf(testEngine() === 'postgres')(
    'a close waits for the transfer that joined its window; a transfer arriving meanwhile waits and joins the next',
    async () => {
      await operator('POST', '/v1/settlement-windows/close'); // the window the test watches starts empty
      await withConcurrentContext(hub, async (ctx) => {
        let release = () => {};
        const held = new Promise<void>((done) => (release = done));
        let joined = (_windowId: string) => {};
        const joinedWindow = new Promise<string>((done) => (joined = done));
        const slow = inTransaction(ctx.db, async (tx) => {
          const input = {
            payerId: issuer.id,
            payeeId: acquirer.id,
            merchantId: acquirer.merchantId,
            amount: minor(33),
            currency: 'CNY',
            source: 'checkout' as const,
          };
          const posted = await postPayment(ctx, tx, input);
          if (!posted.ok) throw new Error(posted.detail);
          joined(posted.value.windowId as string);
          await held; // committed only when the test says
          return posted.value;
        });
        const oldWindow = await joinedWindow;
        let closeAnswered = false;
        const close = operator('POST', '/v1/settlement-windows/close').then((answer) => {
          closeAnswered = true;
          return answer;
        });
        let late: ReturnType<typeof pay> | undefined;
        try {
          await sleep(300);
          expect(closeAnswered, 'the close waits for the transfer in flight').toBe(false);
          late = pay(44, ctx);
          await sleep(200);
          expect(closeAnswered).toBe(false);
        } finally {
          release(); // a failed expectation must not leave the transaction open
        }
        const [slowPayment, closed, latePayment] = await Promise.all([slow, close, late]);
        expect(closed.body).toMatchObject({ id: oldWindow, status: 'closed' });
        expect(slowPayment.windowId).toBe(oldWindow);
        expect(latePayment?.ok && latePayment.value.windowId).toBe(closed.body.nextWindowId);
        const report = await operator('GET', `/v1/settlement-windows/${oldWindow}/report`);
        expect(
          report.body.lines.find((line: { participantId: string }) => line.participantId === issuer.id),
        ).toMatchObject({ sent: 33 });
      });
    },
  );
});

describe('the cutoff schedule', () => {
  test(
    'LINTAS_SETTLEMENT_CUTOFF closes the open window once the cutoff passed since it opened; each window ' +
      'carries its business date',
    async () => {
      const scheduled = await startTestHub({ config: { settlementCutoff: parseCutoff('23:00 Asia/Jakarta') } });
      try {
        scheduled.clock.set(new Date('2026-03-10T09:00:00Z')); // 16:00 in Jakarta
        const run = () => scheduled.workers['settlement-cutoff']?.runOnce();
        const list = async () =>
          (await bearerClient(scheduled, scheduled.operatorToken)('GET', '/v1/settlement-windows?limit=100')).body.data;
        await run();
        const first = (await list()).filter((window: { status: string }) => window.status === 'open');
        expect(first).toHaveLength(1);

        scheduled.clock.set(new Date('2026-03-10T15:59:00Z')); // 22:59: not yet
        await run();
        expect((await list()).filter((window: { status: string }) => window.status === 'closed')).toHaveLength(0);

        scheduled.clock.set(new Date('2026-03-10T16:00:05Z')); // 23:00:05
        await run();
        await run(); // a second tick (or another hub process) finds nothing due
        const afterCutoff = await list();
        const closed = afterCutoff.filter((window: { status: string }) => window.status === 'closed');
        expect(closed).toHaveLength(1);
        const next = afterCutoff.find((window: { id: string }) => window.id === closed[0].nextWindowId);
        expect(next).toMatchObject({
          status: 'open',
          businessDate: '2026-03-11',
          openedAt: '2026-03-10T16:00:05.000Z',
        });
        const audit = await bearerClient(scheduled, scheduled.operatorToken)(
          'GET',
          `/v1/audit-events?objectId=${closed[0].id}`,
        );
        expect(audit.body.data[0]).toMatchObject({
          action: 'settlement_window.closed',
          actor: { type: 'system', id: 'hub' },
        });

        scheduled.clock.set(new Date('2026-03-11T16:00:00Z'));
        await run();
        expect(
          (await list())
            .filter((window: { status: string }) => window.status === 'closed')
            .map((window: { businessDate: string }) => window.businessDate),
        ).toEqual([closed[0].businessDate, '2026-03-11']);
      } finally {
        await scheduled.stop();
      }
    },
  );
});

function captureIo(env: NodeJS.ProcessEnv) {
  const captured = { out: '', err: '', exitCode: undefined as number | undefined, steps: [] as string[] };
  const io: SettleCliIo = {
    out: (text) => (captured.out += text),
    err: (text) => (captured.err += text),
    setExitCode: (code) => (captured.exitCode = code),
    env,
    progress: () => ({
      update: (step) => captured.steps.push(`${step.done}/${step.total} ${step.name}`),
      stop: () => {},
    }),
  };
  return { captured, io };
}

async function runSettleCli(args: string[]) {
  const { captured, io } = captureIo({ LINTAS_DATA_DIR: hub.config.dataDir, LINTAS_OPERATOR_TOKEN: hub.operatorToken });
  const program = new Command('lintas').exitOverride();
  registerSettleCommands(program, io);
  // The command opens a connection of its own, as it would in its own process: what the hub wrote is committed
  // first, as it is before any answer of the hub leaves. In one process SQLite's wait for a lock blocks the
  // thread the hub would commit on, so the hub's timed jobs stop first (the tests drive them with runOnce).
  await Promise.all(Object.values(hub.workers).map((worker) => worker.stop()));
  await hub.ctx.db.durable();
  await program.parseAsync(['settle', ...args, '--db', hub.config.db], { from: 'user' });
  return captured;
}

describe('lintas settle', () => {
  test('close, report (JSON and --csv) and settle, with progress; refusals exit 1', async () => {
    expect((await runSettleCli(['close'])).exitCode).toBe(0);
    expect((await pay(700)).ok).toBe(true);
    const closed = await runSettleCli(['close']);
    expect(closed.exitCode).toBe(0);
    const window = JSON.parse(closed.out);
    expect(window).toMatchObject({ status: 'closed', nextWindowId: expect.stringMatching(/^win_/) });
    expect(closed.steps.at(-1)).toBe('3/3 reported');

    const report = await runSettleCli(['report', window.id]);
    expect(JSON.parse(report.out)).toMatchObject({ windowId: window.id, counts: { payments: 1 } });
    const csv = await runSettleCli(['report', window.id, '--csv']);
    expect(csv.out.split('\r\n')[0]).toBe(
      'windowId,businessDate,participantId,currency,sent,received,feesPaid,feesReceived,net',
    );
    expect(csv.out).toContain(`,${issuer.id},CNY,700,0,0,0,-700\r\n`);

    const settled = await runSettleCli(['settle', window.id]);
    expect(settled.exitCode).toBe(0);
    expect(JSON.parse(settled.out)).toMatchObject({ id: window.id, status: 'settled' });
    const again = await runSettleCli(['settle', window.id]);
    expect(again).toMatchObject({ exitCode: 1, err: expect.stringContaining('window_already_settled') });
    expect(await runSettleCli(['report', 'win_nothing'])).toMatchObject({
      exitCode: 1,
      err: expect.stringContaining('not_found'),
    });
  });

  test('the real command refuses a missing database with exit 2', async () => {
    const child = spawn(
      process.execPath,
      [
        'bin/lintas.mjs',
        'settle',
        'close',
        '--db',
        `${hub.config.dataDir}/absent.sqlite`,
        '--data-dir',
        hub.config.dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(2);
    expect(output).toContain('no database at');
  });
});
