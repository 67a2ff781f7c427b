import { Readable } from 'node:stream';
import type { HubContext } from '../context.ts';
import { csvRow } from '../platform/index.ts';
import {
  type MerchantSummary,
  type StatementLine,
  merchantSummaryColumns,
  statementColumns,
  statementCsvRow,
} from './model.ts';
import { type StatementCursor, type StatementScope, merchantSummaries, statementBatch } from './store.ts';

/** Lines are read in batches of this many, so a statement of millions never sits in memory. */
export const statementBatchLines = 2_000;

/** Every line of the scope, one batch at a time, in (transfer id, direction) order. */
export async function* statementLines(ctx: HubContext, scope: StatementScope): AsyncGenerator<StatementLine> {
  let after: StatementCursor;
  for (;;) {
    const batch = await statementBatch(ctx.db.kysely, scope, after, statementBatchLines);
    yield* batch;
    const last = batch[batch.length - 1];
    if (!last || batch.length < statementBatchLines) return;
    after = { id: last.transferId, direction: last.direction };
  }
}

async function* csvChunks(ctx: HubContext, scope: StatementScope): AsyncGenerator<string> {
  yield csvRow(statementColumns);
  let chunk = '';
  for await (const line of statementLines(ctx, scope)) {
    chunk += statementCsvRow(line);
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function* jsonChunks(ctx: HubContext, scope: StatementScope): AsyncGenerator<string> {
  yield '{"data":[';
  let first = true;
  let chunk = '';
  for await (const line of statementLines(ctx, scope)) {
    chunk += `${first ? '' : ','}${JSON.stringify(line)}`;
    first = false;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]}`;
}

export function statementStream(ctx: HubContext, scope: StatementScope, format: 'csv' | 'json'): Readable {
  return Readable.from(format === 'csv' ? csvChunks(ctx, scope) : jsonChunks(ctx, scope));
}

export async function merchantSummaryBody(
  ctx: HubContext,
  scope: StatementScope,
  format: 'csv' | 'json',
): Promise<string | { data: MerchantSummary[] }> {
  const rows = await merchantSummaries(ctx.db.kysely, scope);
  if (format === 'json') return { data: rows };
  return (
    csvRow(merchantSummaryColumns) +
    rows.map((row) => csvRow(merchantSummaryColumns.map((column) => row[column]))).join('')
  );
}
