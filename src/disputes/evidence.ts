/**
 * Evidence files: which types the hub accepts and how it knows, and the
 * limits. Pure rules, no I/O.
 */

export const evidenceTypes = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type EvidenceType = (typeof evidenceTypes)[number];

/** One file, decoded. Base64 in a JSON body of at most 1 MiB leaves room for this. */
export const evidenceFileBytesMax = 512 * 1024;
/** Files per dispute, all parties together. */
export const evidenceFilesMax = 10;
export const fileNameCharsMax = 200;

const signatures: readonly { type: EvidenceType; magic: readonly number[] }[] = [
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
];

/**
 * The type a file's bytes say it is, by their signature; undefined for
 * anything else. The declared type is never trusted: a file is kept only
 * when its bytes and its declared type agree, and served with that type.
 */
export function sniffEvidenceType(bytes: Uint8Array): EvidenceType | undefined {
  return signatures.find(({ magic }) => magic.length <= bytes.length && magic.every((byte, at) => bytes[at] === byte))
    ?.type;
}

export type Evidence = {
  id: string;
  disputeId: string;
  party: 'issuer' | 'acquirer' | 'merchant';
  fileName: string;
  contentType: EvidenceType;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
};
