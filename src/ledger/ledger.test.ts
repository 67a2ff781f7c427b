import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inTransaction } from '../db/index.ts';
import { minor } from '../money/index.ts';
import { type TestHub, type TestParticipant, createParticipant, startTestHub } from '../testing/index.ts';
import { setLimits, withConcurrentContext } from './fixtures.test-support.ts';
import {
  type Posting,
  LedgerInvariantError,
  fitsHeadroom,
  headroomOf,
  hubAccount,
  lockPosition,
  positionView,
  postEntries,
  releaseReserved,
  reserve,
} from './index.ts';
import { participantAccountsInLockOrder } from './model.ts';

let hub: TestHub;
let payer: TestParticipant;
let payee: TestParticipant;

beforeAll(async () => {
  hub = await startTestHub();
  payer = await createParticipant(hub);
  payee = await createParticipant(hub);
});
afterAll(async () => hub?.stop());

const at = () => hub.clock.now().toISOString();
let groupCounter = 0;
const nextGroupId = () => {
  groupCounter += 1;
  return `trf_ledgertest${String(groupCounter).padStart(4, '0')}`;
};

function post(transferId: string, postings: Posting[]) {
  return inTransaction(hub.ctx.db, (tx) => postEntries(tx, { transferId, currency: 'CNY', postings, at: at() }));
}

async function entriesOf(transferId: string) {
  return hub.ctx.db.kysely
    .selectFrom('ledger_entries')
    .select(['account', 'amount'])
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute();
}

async function positionOf(participantId: string) {
  const view = await positionView(hub.ctx.db.kysely, participantId, 'CNY');
  return { position: view.position, reserved: view.reserved };
}

describe('postEntries', () => {
  const p = (account: () => string, amount: number) => ({ account, amount });
  const malformed = [
    { name: 'a single entry', postings: [p(() => payer.id, 5)], fact: 'posts at least two entries' },
    { name: 'a zero entry', postings: [p(() => payer.id, 0), p(() => payee.id, 0)], fact: 'posts no zero entry' },
    {
      name: 'a fraction of a minor unit',
      postings: [p(() => payer.id, -1.5), p(() => payee.id, 1.5)],
      fact: 'posts a safe integer amount',
    },
    {
      name: 'an amount past 2^53',
      postings: [p(() => payer.id, -(2 ** 53)), p(() => payee.id, 2 ** 53)],
      fact: 'posts a safe integer amount',
    },
    {
      name: 'entries that do not balance',
      postings: [p(() => payer.id, -5), p(() => payee.id, 4)],
      fact: 'balances (its entries sum to -1)',
    },
  ];

  test.each(malformed)('refuses $name by throwing, and writes nothing', async ({ postings, fact }) => {
    const before = [await positionOf(payer.id), await positionOf(payee.id)];
    const transferId = nextGroupId();
    const attempt = post(
      transferId,
      postings.map((posting) => ({ account: posting.account(), amount: posting.amount as never })),
    );
    await expect(attempt).rejects.toThrow(LedgerInvariantError);
    await expect(attempt).rejects.toThrow(fact);
    expect(await entriesOf(transferId)).toEqual([]);
    expect([await positionOf(payer.id), await positionOf(payee.id)]).toEqual(before);
  });

  test("moves participants' rows by their net and keeps the hub's account as entries only", async () => {
    const before = [await positionOf(payer.id), await positionOf(payee.id)];
    const transferId = nextGroupId();
    await post(transferId, [
      { account: payer.id, amount: minor(-105) },
      { account: payee.id, amount: minor(100) },
      { account: hubAccount, amount: minor(5) },
    ]);
    expect(await entriesOf(transferId)).toEqual([
      { account: payer.id, amount: -105 },
      { account: payee.id, amount: 100 },
      { account: hubAccount, amount: 5 },
    ]);
    expect(await positionOf(payer.id)).toEqual({ position: (before[0]?.position ?? 0) - 105, reserved: 0 });
    expect(await positionOf(payee.id)).toEqual({ position: (before[1]?.position ?? 0) + 100, reserved: 0 });
    const hubRows = await hub.ctx.db.kysely
      .selectFrom('positions')
      .selectAll()
      .where('participant_id', '=', hubAccount)
      .execute();
    expect(hubRows).toEqual([]);
  });

  test('an account that is not a participant cannot hold a position', async () => {
    const attempt = post(nextGroupId(), [
      { account: payer.id, amount: minor(-1) },
      { account: 'par_nobody', amount: minor(1) },
    ]);
    await expect(attempt).rejects.toThrow();
  });
});

describe('lockPosition', () => {
  test('creates a missing row at zero once, also when many transactions race to create it', async () => {
    const fresh = await createParticipant(hub, { currencies: ['CNY', 'JPY'] });
    const locked = await withConcurrentContext(hub, (ctx) =>
      Promise.all(
        Array.from({ length: 20 }, () => inTransaction(ctx.db, (tx) => lockPosition(tx, fresh.id, 'JPY', at()))),
      ),
    );
    expect(locked.every((position) => position.position === 0 && position.reserved === 0)).toBe(true);
    const rows = await hub.ctx.db.kysely
      .selectFrom('positions')
      .selectAll()
      .where('participant_id', '=', fresh.id)
      .execute();
    expect(rows).toEqual([{ participant_id: fresh.id, currency: 'JPY', position: 0, reserved: 0, updated_at: at() }]);
  });
});

describe('reservations', () => {
  test('reserve counts against headroom; releasing more than is reserved is a programmer error', async () => {
    const wallet = await createParticipant(hub);
    await setLimits(hub, wallet.id, 'CNY', 500);
    const reserveIn = (amount: number) =>
      inTransaction(hub.ctx.db, (tx) => reserve(tx, wallet.id, 'CNY', minor(amount), at()));
    expect(await reserveIn(300)).toMatchObject({ ok: true, value: { reserved: 300, position: 0 } });
    expect(await reserveIn(201)).toMatchObject({ ok: false, code: 'limit_exceeded' });
    expect(await reserveIn(200)).toMatchObject({ ok: true, value: { reserved: 500 } });
    await expect(
      inTransaction(hub.ctx.db, (tx) => releaseReserved(tx, wallet.id, 'CNY', minor(501), at())),
    ).rejects.toThrow('has 501 reserved to release');
    expect(
      await inTransaction(hub.ctx.db, (tx) => releaseReserved(tx, wallet.id, 'CNY', minor(500), at())),
    ).toMatchObject({ reserved: 0 });
    await expect(reserveIn(0)).rejects.toThrow(LedgerInvariantError);
  });
});

describe('pure rules', () => {
  test('headroom is cap + prefunding + position - reserved, and a debit fits while it leaves zero or more', () => {
    const limits = { netDebitCap: minor(1_000), prefunding: minor(250) };
    expect(headroomOf({ position: minor(-400), reserved: minor(100) }, limits)).toBe(750);
    expect(fitsHeadroom(minor(750), minor(-750))).toBe(true);
    expect(fitsHeadroom(minor(750), minor(-751))).toBe(false);
    expect(fitsHeadroom(minor(-10), minor(5))).toBe(true);
    expect(fitsHeadroom(minor(-10), minor(0))).toBe(true);
  });

  test("participants are locked in one sorted order, without the hub's account", () => {
    expect(participantAccountsInLockOrder(['par_b', hubAccount, 'par_a', 'par_b'])).toEqual(['par_a', 'par_b']);
  });
});
