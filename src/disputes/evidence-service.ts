import { createHash } from 'node:crypto';
import type { HubContext } from '../context.ts';
import { type DisputeEvidenceRow, type Queryable, inTransaction } from '../db/index.ts';
import { type Caller, recordIdempotentEffect } from '../http/index.ts';
import { type Result, invariant, newId, ok, refuse } from '../platform/index.ts';
import {
  type Evidence,
  type EvidenceType,
  evidenceFileBytesMax,
  evidenceFilesMax,
  sniffEvidenceType,
} from './evidence.ts';
import { isFinal, type DisputeStatus } from './model.ts';
import { disputeVisibleTo, partyOf } from './service.ts';
import * as store from './store.ts';

export type EvidenceRefusal =
  | 'not_found'
  | 'invalid_transition'
  | 'evidence_too_large'
  | 'evidence_type_not_allowed'
  | 'evidence_limit_reached';

function toEvidence(row: DisputeEvidenceRow): Evidence {
  return {
    id: row.id,
    disputeId: row.dispute_id,
    party: row.party as Evidence['party'],
    fileName: row.file_name,
    contentType: row.content_type as EvidenceType,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}

/**
 * A party files evidence on a dispute that is not final: the bytes must be
 * a PDF, PNG or JPEG by their own signature, agree with the declared type,
 * and fit the size and count limits. Kept with their SHA-256.
 */
export async function fileEvidence(
  ctx: HubContext,
  caller: Caller,
  disputeId: string,
  input: { fileName: string; contentType: EvidenceType; contentBase64: string },
): Promise<Result<Evidence, EvidenceRefusal>> {
  const bytes = Buffer.from(input.contentBase64, 'base64');
  if (bytes.length > evidenceFileBytesMax)
    return refuse('evidence_too_large', `a file may be at most ${evidenceFileBytesMax} bytes`, {
      sizeBytesMax: evidenceFileBytesMax,
    });
  const sniffed = sniffEvidenceType(bytes);
  if (sniffed === undefined || sniffed !== input.contentType)
    return refuse('evidence_type_not_allowed', `the file's content is not a ${input.contentType}`, {
      detectedType: sniffed ?? null,
    });
  return inTransaction(ctx.db, async (tx) => {
    const dispute = await store.findDispute(tx, disputeId, { lock: true });
    const party = dispute && partyOf(caller, dispute);
    if (!dispute || party === undefined) return refuse('not_found', `dispute ${disputeId} was not found`);
    if (isFinal(dispute.status as DisputeStatus))
      return refuse('invalid_transition', `a ${dispute.status} dispute takes no more evidence`);
    const count = await store.countEvidence(tx, dispute.id);
    if (count >= evidenceFilesMax)
      return refuse('evidence_limit_reached', `a dispute holds at most ${evidenceFilesMax} files`);
    const row: DisputeEvidenceRow = {
      id: newId('evd', ctx.clock.now(), ctx.random),
      dispute_id: dispute.id,
      party,
      file_name: input.fileName,
      content_type: sniffed,
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content_base64: bytes.toString('base64'),
      created_at: ctx.clock.now().toISOString(),
    };
    await store.insertEvidence(tx, row);
    await recordIdempotentEffect(tx, { kind: 'dispute_evidence', id: row.id });
    invariant((await store.countEvidence(tx, dispute.id)) === count + 1, `dispute ${dispute.id} gained one file`);
    return ok(toEvidence(row));
  });
}

async function visibleDispute(db: Queryable, caller: Caller, disputeId: string) {
  const dispute = await store.findDispute(db, disputeId);
  return dispute && disputeVisibleTo(caller, dispute) ? dispute : undefined;
}

/** The files of a dispute, for its parties and the operator only; undefined means 404. */
export async function listEvidence(ctx: HubContext, caller: Caller, disputeId: string) {
  if (!(await visibleDispute(ctx.db.kysely, caller, disputeId))) return undefined;
  return (await store.listEvidence(ctx.db.kysely, disputeId)).map(toEvidence);
}

/** One file's bytes and the type the hub checked, for the dispute's parties and the operator only. */
export async function readEvidenceFile(ctx: HubContext, caller: Caller, disputeId: string, evidenceId: string) {
  if (!(await visibleDispute(ctx.db.kysely, caller, disputeId))) return undefined;
  const row = await store.findEvidence(ctx.db.kysely, disputeId, evidenceId);
  if (!row) return undefined;
  const bytes = Buffer.from(row.content_base64, 'base64');
  invariant(
    createHash('sha256').update(bytes).digest('hex') === row.sha256,
    `evidence ${row.id} still has the digest it was filed with`,
  );
  return { evidence: toEvidence(row), bytes };
}

/** One file's record by its id alone, as its filer sees it: how a lost answer to filing is rebuilt. */
export async function readEvidence(ctx: HubContext, caller: Caller, evidenceId: string) {
  const row = await store.findEvidenceById(ctx.db.kysely, evidenceId);
  return row && (await visibleDispute(ctx.db.kysely, caller, row.dispute_id)) ? toEvidence(row) : undefined;
}
