import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signRequest } from '../http/index.ts';
import {
  type TestHub,
  type TestParticipant,
  bearerClient,
  seedWindowPayments,
  startTestHub,
} from '../testing/index.ts';
import { type TestMerchant, createMerchant, createWallet } from '../testing/world.ts';

const lineCount = 100_000;

let hub: TestHub;
let issuer: TestParticipant;
let acquirer: TestParticipant;
let merchant: TestMerchant;
let windowId: string;

beforeAll(async () => {
  hub = await startTestHub();
  issuer = await createWallet(hub, 'Big Issuer');
  acquirer = await createWallet(hub, 'Big Acquirer', { roles: ['acquirer'] });
  merchant = await createMerchant(hub, acquirer);
  const closed = await bearerClient(hub, hub.operatorToken)('POST', '/v1/settlement-windows/close');
  windowId = closed.body.id;
  const window = await bearerClient(hub, hub.operatorToken)('GET', `/v1/settlement-windows/${windowId}`);
  await seedWindowPayments(hub.ctx.db, {
    payerId: issuer.id,
    payeeId: acquirer.id,
    merchantId: merchant.id,
    windowId,
    businessDate: window.body.businessDate,
    count: lineCount,
    idPrefix: 'trf_scale',
  });
}, 120_000);
afterAll(async () => hub?.stop());

describe(`reconciliation of ${lineCount.toLocaleString('en')} lines`, () => {
  test('an upload with one line missing, one extra and one wrong amount reports exactly those three', async () => {
    const statement = await issuer.call('GET', `/v1/statements?windowId=${windowId}&format=csv`);
    const lines = statement.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(lineCount + 1);
    const [header, ...rows] = lines as [string, ...string[]];
    const missing = rows[41_000] as string;
    const wrong = (rows[77_777] as string).split(',');
    const wrongAmount = Number(wrong[8]) + 1;
    wrong[8] = String(wrongAmount);
    const edited = rows
      .filter((row) => row !== missing)
      .map((row) => (row.startsWith(`${wrong[0]},`) ? wrong.join(',') : row));
    edited.splice(
      500,
      0,
      'trf_extra_line,000000000000,2026-01-01T00:00:00.000Z,,payment,debit,' +
        `${acquirer.id},${merchant.id},4200,CNY,0,0,checkout,`,
    );
    const csv = [header, ...edited].join('\r\n');

    const url = `${hub.url}/v1/reconciliations?windowId=${windowId}`;
    const headers: Record<string, string> = { 'content-type': 'text/csv', 'idempotency-key': 'scale-1' };
    const signature = await signRequest(
      { method: 'POST', url, headers, body: csv },
      { keyId: issuer.keyId, privateKey: issuer.privateKey, now: () => hub.clock.now() },
    );
    const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signature }, body: csv });
    const result = (await response.json()) as any;
    expect(response.status, JSON.stringify(result).slice(0, 500)).toBe(201);
    expect(result.counts).toEqual({
      lines: lineCount,
      matched: lineCount - 2,
      missingAtHub: 1,
      missingAtParticipant: 1,
      mismatched: 1,
      malformed: 0,
    });
    expect(result.missingAtHub.data).toEqual([expect.objectContaining({ line: 502, transferId: 'trf_extra_line' })]);
    expect(result.missingAtParticipant.data).toEqual([
      expect.objectContaining({ transferId: missing.split(',')[0], direction: 'debit' }),
    ]);
    expect(result.mismatched.data).toEqual([
      expect.objectContaining({
        transferId: wrong[0],
        field: 'amount',
        participantValue: String(wrongAmount),
        hubValue: String(wrongAmount - 1),
      }),
    ]);
  }, 120_000);
});
