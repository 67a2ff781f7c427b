import { Type } from 'typebox';
import type { ProblemCodes } from '../capability.ts';
import type { HubContext } from '../context.ts';
import {
  type App,
  IdParams,
  Timestamp,
  callerOf,
  notFound,
  problemResponses,
  replayAs,
  valueOrThrow,
} from '../http/index.ts';
import { evidenceFileBytesMax, evidenceTypes, fileNameCharsMax } from './evidence.ts';
import { fileEvidence, listEvidence, readEvidence, readEvidenceFile } from './evidence-service.ts';

export const evidenceProblemCodes: ProblemCodes = {
  evidence_too_large: [422, 'The evidence file is too large'],
  evidence_type_not_allowed: [422, 'The evidence file is not a PDF, PNG or JPEG by its content'],
  evidence_limit_reached: [422, 'The dispute holds as many evidence files as it may'],
};

/** Base64 of the largest file, rounded up to whole 4-character groups. */
const base64CharsMax = Math.ceil(evidenceFileBytesMax / 3) * 4;

const NewEvidence = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: fileNameCharsMax }),
    contentType: Type.Union(evidenceTypes.map((type) => Type.Literal(type))),
    contentBase64: Type.String({ minLength: 4, maxLength: base64CharsMax, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  },
  { additionalProperties: false },
);
const EvidenceSchema = Type.Object({
  id: Type.String(),
  disputeId: Type.String(),
  party: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  createdAt: Timestamp,
});
const FileParams = Type.Object({ id: Type.String(), evidenceId: Type.String() });
const tags = ['disputes'];

export function evidenceRoutes(app: App, ctx: HubContext): void {
  app.post('/v1/disputes/:id/evidence', {
    config: {
      auth: ['merchant', 'participant'],
      idempotent: replayAs(201, (id, request) => readEvidence(ctx, callerOf(request), id)),
    },
    schema: {
      tags,
      summary: `File a PDF, PNG or JPEG (base64, at most ${evidenceFileBytesMax} bytes) on a dispute one is party to`,
      params: IdParams,
      body: NewEvidence,
      response: { 201: EvidenceSchema, ...problemResponses },
    },
    handler: async (request, reply) =>
      reply.code(201).send(valueOrThrow(await fileEvidence(ctx, callerOf(request), request.params.id, request.body))),
  });

  app.get('/v1/disputes/:id/evidence', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: {
      tags,
      params: IdParams,
      response: { 200: Type.Object({ data: Type.Array(EvidenceSchema) }), ...problemResponses },
    },
    handler: async (request) => {
      const files = await listEvidence(ctx, callerOf(request), request.params.id);
      if (!files) throw notFound(`dispute ${request.params.id}`);
      return { data: files };
    },
  });

  app.get('/v1/disputes/:id/evidence/:evidenceId/content', {
    config: { auth: ['merchant', 'participant', 'operator'] },
    schema: { tags, summary: 'The file, as an attachment of the type the hub checked', params: FileParams },
    handler: async (request, reply) => {
      const file = await readEvidenceFile(ctx, callerOf(request), request.params.id, request.params.evidenceId);
      if (!file) throw notFound(`evidence ${request.params.evidenceId}`);
      // Served only as the checked type, never inline and never sniffed, so no file can run in a browser.
      return reply
        .type(file.evidence.contentType)
        .header('content-disposition', `attachment; filename="${file.evidence.id}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('digest-sha256', file.evidence.sha256)
        .send(file.bytes);
    },
  });
}
