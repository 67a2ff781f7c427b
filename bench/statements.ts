// `lintas bench statements`: a statement and a reconciliation of a million
// lines each, against a hub in its own process, with that process's peak
// memory read from /proc. The baseline, measured in the same run, is the
// naive way: one query for every line, the whole CSV built in memory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/index.ts';
import { signRequest } from '../src/http/index.ts';
import { csvRow, systemClock } from '../src/platform/index.ts';
import { statementColumns } from '../src/statements/index.ts';
import { seedWindowPayments } from '../src/testing/bulk-transfers.ts';
import type { TestHub } from '../src/testing/hub.ts';
import { bearerClient } from '../src/testing/client.ts';
import { type LintasProcess, spawnLintas } from '../src/testing/processes.ts';
import { createMerchant, createWallet } from '../src/testing/world.ts';

const defaultLines = 1_000_000;
const startTimeoutMs = 30_000;
const mebibyte = 1024 * 1024;
const heapMiBMax = 160;

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

async function startHubProcess(
  dataDir: string,
  db: string,
  token: string,
): Promise<{ hub: LintasProcess; url: string }> {
  // The heap is capped so the figure is what the work needs, not what an idle
  // collector lets accumulate: were a step to hold every line, it would fail.
  const hub = spawnLintas(
    ['serve', '--port', '0', '--db', db, '--data-dir', dataDir],
    { ...process.env, LINTAS_OPERATOR_TOKEN: token, LINTAS_LOG_LEVEL: 'warn' },
    [`--max-old-space-size=${heapMiBMax}`],
  );
  const [, url] = await hub.waitFor(/listening on (http:\/\/\S+)/, startTimeoutMs);
  return { hub, url: url as string };
}

async function countStreamedLines(response: Response): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  return { lines, bytes };
}

/** The naive statement: every row in one query, the whole CSV in one string. */
async function naiveStatement(
  db: string,
  payerId: string,
  windowId: string,
): Promise<{ seconds: number; peakMiB: number; bytes: number }> {
  const database = openDatabase(db);
  const started = performance.now();
  const rows = await database.kysely
    .selectFrom('transfers')
    .selectAll()
    .where('payer_id', '=', payerId)
    .where('window_id', '=', windowId)
    .orderBy('id')
    .execute();
  const csv =
    csvRow(statementColumns) +
    rows
      .map((row) =>
        csvRow([
          row.id,
          row.receipt_number,
          row.created_at,
          row.business_date,
          row.kind,
          'debit',
          row.payee_id,
          row.merchant_id,
          row.amount,
          row.currency,
          row.interchange,
          row.issuer_switch_fee,
          row.source,
          row.payer_ref,
        ]),
      )
      .join('');
  const seconds = (performance.now() - started) / 1000;
  await database.close();
  return { seconds, peakMiB: peakRssMiB(process.pid), bytes: csv.length };
}

export async function runStatementsBench(options: { lines?: number } = {}): Promise<void> {
  const lineCount = options.lines ?? defaultLines;
  const dataDir = mkdtempSync(join(tmpdir(), 'lintas-bench-statements-'));
  const db = join(dataDir, 'hub.sqlite');
  const token = `op_bench_${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const { hub: hubProcess, url } = await startHubProcess(dataDir, db, token);
  try {
    const hub = { url, operatorToken: token, clock: systemClock } as unknown as TestHub;
    // The hub runs as in production, private URLs refused: callbacks go to names that never resolve.
    const issuer = await createWallet(hub, 'Bench Issuer', { callbackUrl: 'https://issuer.example/lintas' });
    const acquirer = await createWallet(hub, 'Bench Acquirer', {
      roles: ['acquirer'],
      callbackUrl: 'https://acquirer.example/lintas',
    });
    const merchant = await createMerchant(hub, acquirer);
    const window = (await bearerClient(hub, token)('POST', '/v1/settlement-windows/close')).body as {
      id: string;
      businessDate: string;
    };
    process.stdout.write(`seeding ${lineCount.toLocaleString('en')} transfers into one window...\n`);
    const seeder = openDatabase(db);
    await seedWindowPayments(seeder, {
      payerId: issuer.id,
      payeeId: acquirer.id,
      merchantId: merchant.id,
      windowId: window.id,
      businessDate: window.businessDate,
      count: lineCount,
      idPrefix: 'trf_bench',
    });
    await seeder.close();
    const pid = hubProcess.child.pid as number;
    const idleMiB = peakRssMiB(pid);

    let started = performance.now();
    const statementUrl = `${url}/v1/statements?windowId=${window.id}&format=csv`;
    const headers = await signRequest(
      { method: 'GET', url: statementUrl, headers: {} },
      { keyId: issuer.keyId, privateKey: issuer.privateKey, now: () => new Date() },
    );
    const streamed = await countStreamedLines(await fetch(statementUrl, { headers }));
    const statementSeconds = (performance.now() - started) / 1000;
    const statementPeakMiB = peakRssMiB(pid);

    const upload = ['transferId,amount,currency,direction'];
    for (let index = 0; index < lineCount; index += 1)
      upload.push(`trf_bench${String(index).padStart(9, '0')},${1_000 + (index % 9_000)},CNY,debit`);
    const body = upload.join('\n');
    const reconcileUrl = `${url}/v1/reconciliations?windowId=${window.id}`;
    const uploadHeaders: Record<string, string> = {
      'content-type': 'text/csv',
      'idempotency-key': `bench-${Date.now()}`,
    };
    const signature = await signRequest(
      { method: 'POST', url: reconcileUrl, headers: uploadHeaders, body },
      { keyId: issuer.keyId, privateKey: issuer.privateKey, now: () => new Date() },
    );
    started = performance.now();
    const reconciled = (await (
      await fetch(reconcileUrl, { method: 'POST', headers: { ...uploadHeaders, ...signature }, body })
    ).json()) as { counts?: Record<string, number> };
    const reconcileSeconds = (performance.now() - started) / 1000;
    const reconcilePeakMiB = peakRssMiB(pid);

    const naive = await naiveStatement(db, issuer.id, window.id);
    const lines = [
      `statement: ${(streamed.lines - 1).toLocaleString('en')} lines, ${(streamed.bytes / mebibyte).toFixed(0)} ` +
        `MiB streamed in ${statementSeconds.toFixed(1)} s; hub peak RSS ${statementPeakMiB.toFixed(0)} MiB (idle ` +
        `${idleMiB.toFixed(0)} MiB)`,
      `reconciliation: ${(body.length / mebibyte).toFixed(0)} MiB upload in ${reconcileSeconds.toFixed(1)} s: ` +
        `${JSON.stringify(reconciled.counts)}; hub peak RSS ${reconcilePeakMiB.toFixed(0)} MiB`,
      `baseline (every row in one query, the CSV in one string): ${naive.seconds.toFixed(1)} s, peak RSS ` +
        `${naive.peakMiB.toFixed(0)} MiB`,
      `ratio: streamed statement peak / naive peak = ${(statementPeakMiB / naive.peakMiB).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await hubProcess.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
