import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, type TestParticipant, bearerClient, spawnLintas, startTestHub } from './testing/index.ts';
import {
  type TestMerchant,
  approveChannel,
  createCheckout,
  createMerchant,
  createWallet,
  payCheckoutByQr,
} from './testing/world.ts';

/**
 * CSV formula safety, one test per CSV the hub writes. Wallets' payer
 * references are free text; each one here starts as a spreadsheet would run
 * it. In every export, every cell is a number or a text that no spreadsheet
 * runs: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * written with a leading `'` (`csvCell` in `src/platform/csv.ts`).
 */
const formulaRefs = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

let hub: TestHub;
let issuer: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
let windowId: string;

beforeAll(async () => {
  hub = await startTestHub();
  acquirer = await createWallet(hub, 'Csv Acquirer', { roles: ['issuer', 'acquirer'] });
  issuer = await createWallet(hub, 'Csv Wallet');
  merchant = await createMerchant(hub, acquirer);
  await approveChannel(merchant, issuer);
  for (const payerRef of formulaRefs) {
    const checkout = await createCheckout(merchant);
    const paid = await payCheckoutByQr(hub, checkout, issuer, payerRef);
    expect(paid.status, paid.text).toBe(201);
  }
  const closed = await bearerClient(hub, hub.operatorToken)('POST', '/v1/settlement-windows/close');
  expect(closed.status, closed.text).toBe(200);
  windowId = closed.body.id;
});
afterAll(async () => {
  await hub?.stop();
});

/** Parses the CSV (RFC 4180) and holds every cell to the rule; answers the rows. */
function expectFormulaSafe(csv: string): string[][] {
  const rows: string[][] = parse(csv, { relaxQuotes: false });
  expect(rows.length).toBeGreaterThan(1);
  for (const row of rows)
    for (const cell of row) {
      const isNumber = /^-?\d+$/.test(cell);
      if (!isNumber) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    }
  return rows;
}

function expectEscapedRefs(rows: string[][]): void {
  const column = (rows[0] as string[]).indexOf('payerRef');
  expect(column).toBeGreaterThan(-1);
  const refs = rows.slice(1).map((row) => row[column]);
  for (const payerRef of formulaRefs) expect(refs).toContain(`'${payerRef}`);
}

async function csvOf(
  caller: (method: string, path: string) => Promise<{ status: number; text: string; headers: Headers }>,
  path: string,
) {
  const response = await caller('GET', path);
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/csv');
  return response.text;
}

describe('every CSV the hub writes is safe to open in a spreadsheet', () => {
  test("a wallet's statement (GET /v1/statements?format=csv)", async () => {
    const rows = expectFormulaSafe(await csvOf(issuer.call, `/v1/statements?windowId=${windowId}&format=csv`));
    expectEscapedRefs(rows);
  });

  test("an acquirer's statement, and the operator's reading of it", async () => {
    expectEscapedRefs(expectFormulaSafe(await csvOf(acquirer.call, `/v1/statements?windowId=${windowId}&format=csv`)));
    const operator = bearerClient(hub, hub.operatorToken);
    const path = `/v1/statements?windowId=${windowId}&format=csv&participantId=${issuer.id}`;
    expectEscapedRefs(expectFormulaSafe(await csvOf(operator, path)));
  });

  test("an acquirer's statement by merchant (groupBy=merchant&format=csv)", async () => {
    const csv = await csvOf(acquirer.call, `/v1/statements?windowId=${windowId}&format=csv&groupBy=merchant`);
    const rows = expectFormulaSafe(csv);
    expect(rows.slice(1).some((row) => row.includes(merchant.id))).toBe(true);
  });

  test("the settlement report (GET /v1/settlement-windows/{id}/report.csv), the operator's and a participant's", async () => {
    const operator = bearerClient(hub, hub.operatorToken);
    const all = expectFormulaSafe(await csvOf(operator, `/v1/settlement-windows/${windowId}/report.csv`));
    // A net owed is negative and stays a number.
    expect(all.slice(1).some((row) => /^-\d+$/.test(row[8] as string))).toBe(true);
    expectFormulaSafe(await csvOf(issuer.call, `/v1/settlement-windows/${windowId}/report.csv`));
  });

  test('the settlement report from the command line (lintas settle report --csv)', async () => {
    const env = { ...process.env, LINTAS_DATA_DIR: hub.config.dataDir, LINTAS_LOG_LEVEL: 'silent' };
    const command = spawnLintas(['settle', 'report', windowId, '--csv', '--db', hub.config.db], env);
    expect(await command.exited, command.output()).toBe(0);
    const printed = command.output();
    expectFormulaSafe(printed.slice(printed.indexOf('windowId,businessDate')));
  });
});
