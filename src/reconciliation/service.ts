import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { type Caller, recordIdempotentEffect } from '../http/index.ts';
import { type Result, newId, ok, refuse, invariant } from '../platform/index.ts';
import {
  type ItemKind,
  type Reconciliation,
  type RequiredColumn,
  type UploadLine,
  locateColumns,
  readLine,
} from './model.ts';
import * as store from './store.ts';

/** Staged lines are written in batches of this many, each in its own short statement. */
const uploadBatchLines = 500;
/**
 * The upload reaches the parser in slices of this size: a transform that is
 * handed the whole body at once parses every record before the first is
 * read, which for a million lines is a million arrays in memory.
 */
const parserSliceBytes = 64 * 1024;

function* slices(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += parserSliceBytes)
    yield bytes.subarray(start, start + parserSliceBytes);
}

export type ReconciliationRefusal = 'invalid_request' | 'not_found';

type Staging = {
  reconciliationId: string;
  lines: number;
  malformed: number;
  good: UploadLine[];
  bad: { line: number; error: string }[];
};

async function flush(ctx: HubContext, staging: Staging, { force = false }: { force?: boolean } = {}): Promise<void> {
  if (force || staging.good.length >= uploadBatchLines) {
    await store.insertUploads(ctx.db.kysely, staging.reconciliationId, staging.good);
    staging.good = [];
  }
  if (force || staging.bad.length >= uploadBatchLines) {
    await store.insertMalformed(ctx.db.kysely, staging.reconciliationId, staging.bad);
    staging.bad = [];
  }
}

/**
 * Reads the upload as RFC 4180 (quotes, CRLF or LF, an optional BOM) one
 * record at a time. The header is line 1; a malformed line is recorded with
 * its number and does not stop the rest.
 */
async function stageUpload(ctx: HubContext, staging: Staging, csv: Buffer): Promise<Result<true, 'invalid_request'>> {
  const parser = Readable.from(slices(csv)).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, info: true }),
  );
  parser.on('skip', (error: { lines?: number; message: string }) => {
    staging.lines += 1;
    staging.malformed += 1;
    staging.bad.push({ line: error.lines ?? 0, error: error.message });
  });
  let columns: Record<RequiredColumn, number> | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!columns) {
      const located = locateColumns(record);
      if (!located.ok)
        return refuse('invalid_request', `the header lacks ${located.missing.join(', ')}`, {
          errors: [{ pointer: '/body', detail: `line 1 must name ${located.missing.join(', ')}` }],
        });
      columns = located.at;
      continue;
    }
    staging.lines += 1;
    const read = readLine(info.lines, record, columns);
    if (read.ok) staging.good.push(read.value);
    else {
      staging.malformed += 1;
      staging.bad.push({ line: info.lines, error: read.error });
    }
    await flush(ctx, staging);
  }
  if (!columns)
    return refuse('invalid_request', 'the upload is empty: it needs a header line', {
      errors: [{ pointer: '/body', detail: 'is empty' }],
    });
  await flush(ctx, staging, { force: true });
  return ok(true);
}

async function windowExists(ctx: HubContext, windowId: string): Promise<boolean> {
  const row = await ctx.db.kysely
    .selectFrom('settlement_windows')
    .select('id')
    .where('id', '=', windowId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function createReconciliation(
  ctx: HubContext,
  caller: Caller,
  windowId: string,
  csv: Buffer,
): Promise<Result<Reconciliation, ReconciliationRefusal>> {
  if (!(await windowExists(ctx, windowId))) return refuse('not_found', `settlement window ${windowId} was not found`);
  const at = ctx.clock.now();
  const id = newId('rec', at, ctx.random);
  await store.insertReconciliation(ctx.db.kysely, {
    id,
    participant_id: caller.id,
    window_id: windowId,
    status: 'processing',
    lines: 0,
    matched: 0,
    missing_at_hub: 0,
    missing_at_participant: 0,
    mismatched: 0,
    malformed: 0,
    created_at: at.toISOString(),
    completed_at: null,
  });
  const staging: Staging = { reconciliationId: id, lines: 0, malformed: 0, good: [], bad: [] };
  const staged = await stageUpload(ctx, staging, csv);
  if (!staged.ok) {
    await inTransaction(ctx.db, (tx) => store.discardReconciliation(tx, id));
    return staged;
  }
  await inTransaction(ctx.db, async (tx) => {
    const scope = { reconciliationId: id, participantId: caller.id, windowId };
    const found = await store.matchUpload(tx, scope);
    await store.completeReconciliation(
      tx,
      id,
      { ...found, lines: staging.lines, malformed: staging.malformed + found.duplicates },
      ctx.clock.now().toISOString(),
    );
    await recordIdempotentEffect(tx, { kind: 'reconciliation', id });
  });
  const done = await store.findReconciliation(ctx.db.kysely, id);
  invariant(done !== undefined, `reconciliation ${id} exists after it completed`);
  return ok(done);
}

/** The participant sees its own; the operator sees every one. */
export async function readReconciliation(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Reconciliation | undefined> {
  const found = await store.findReconciliation(ctx.db.kysely, id);
  return found && (caller.type === 'operator' || found.participantId === caller.id) ? found : undefined;
}

export type ItemView = {
  line: number | null;
  transferId: string | null;
  direction: string | null;
  field?: string;
  participantValue?: string;
  hubValue?: string;
  error?: string;
};

export async function itemsPage(
  ctx: HubContext,
  id: string,
  kind: ItemKind,
  after: string | undefined,
  limit: number,
): Promise<{ data: ItemView[]; nextCursor: string | null }> {
  const rows = await store.listItems(ctx.db.kysely, id, kind, after, limit);
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const cursorOf = (row: NonNullable<typeof last>) =>
    kind === 'missing_at_participant' ? `${row.transfer_id}|${row.direction}` : `${row.line}|${row.field ?? ''}`;
  return {
    data: data.map((row) => ({
      line: row.line,
      transferId: row.transfer_id,
      direction: row.direction,
      ...(row.field !== null ? { field: row.field } : {}),
      ...(row.participant_value !== null ? { participantValue: row.participant_value } : {}),
      ...(row.hub_value !== null ? { hubValue: row.hub_value } : {}),
      ...(row.error !== null ? { error: row.error } : {}),
    })),
    nextCursor: rows.length > limit && last ? cursorOf(last) : null,
  };
}

export { listLatest } from './store.ts';
