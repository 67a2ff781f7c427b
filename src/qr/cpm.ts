// Consumer-presented payloads (EMVCo CPM): base64 of BER-TLV data objects,
// 85 "CPV01" first, then application templates (61) and an optional common
// data template (62). The hub only recognises and shows them: payment codes
// are read by the till, not scanned by a wallet.
import { codecFailure, type CpmDecoded, type CpmField, type QrCodecError, type QrCodecFailure } from './model.ts';

/**
 * Levels of data objects read: EMVCo CPM uses three (the top level; inside 61
 * and 62; inside their transparent templates 63 and 64), plus one to spare.
 */
export const cpmNestingDepthMax = 4;

const formatIndicatorTag = '85';
const formatIndicatorText = 'CPV01';
const applicationTemplateTag = '61';

const tagNames: Readonly<Record<string, string>> = {
  '4F': 'Application Definition File (ADF) Name',
  '50': 'Application Label',
  '57': 'Track 2 Equivalent Data',
  '5A': 'Application PAN',
  '5F20': 'Cardholder Name',
  '5F2D': 'Language Preference',
  '5F50': 'Issuer URL',
  '61': 'Application Template',
  '62': 'Common Data Template',
  '63': 'Application Specific Transparent Template',
  '64': 'Common Data Transparent Template',
  '82': 'Application Interchange Profile',
  '85': 'Payload Format Indicator',
  '9F08': 'Application Version Number',
  '9F10': 'Issuer Application Data',
  '9F19': 'Token Requestor ID',
  '9F24': 'Payment Account Reference',
  '9F25': 'Last 4 Digits of PAN',
  '9F26': 'Application Cryptogram',
  '9F27': 'Cryptogram Information Data',
  '9F36': 'Application Transaction Counter',
  '9F37': 'Unpredictable Number',
  '9F63': 'Issuer QR Data',
};

/** Tags whose value is text (EMV format "ans"), shown as such beside the hex. */
const textTags: ReadonlySet<string> = new Set(['50', '5F20', '5F2D', '5F50', '85']);

type Failure = { code: QrCodecError; byteOffset: number; detail: string };

export function decodeConsumerPresented(payload: string): CpmDecoded | QrCodecFailure {
  const badCharacter = base64ErrorPosition(payload);
  if (badCharacter >= 0) return codecFailure('cpm_base64_invalid', badCharacter, '', 'not base64');
  const bytes = Buffer.from(payload, 'base64');
  const parsed = readObjects(bytes, 0, bytes.length, 1);
  if (!Array.isArray(parsed)) return fromFailure(parsed);
  const first = parsed[0];
  if (first?.tag !== formatIndicatorTag || !('text' in first) || first.text !== formatIndicatorText) {
    return codecFailure(
      'cpm_format_indicator_invalid',
      0,
      '',
      `the first data object is not ${formatIndicatorTag} holding ${formatIndicatorText}`,
    );
  }
  if (!parsed.some((field) => field.tag === applicationTemplateTag)) {
    return codecFailure('cpm_application_missing', 0, '', `no ${applicationTemplateTag} application template`);
  }
  return { kind: 'cpm', valid: true, fields: parsed };
}

/** -1 when `text` is base64 (padding optional), else the index of the first wrong character. */
function base64ErrorPosition(text: string): number {
  let end = text.length;
  while (end > 0 && text.length - end < 2 && text.charCodeAt(end - 1) === 0x3d) end--;
  for (let i = 0; i < end; i++) {
    if (!isBase64Character(text.charCodeAt(i))) return i;
  }
  // One leftover character carries 6 bits, less than a byte; padding only completes a group of 4.
  if (end % 4 === 1) return end - 1;
  if (end < text.length && text.length % 4 !== 0) return end;
  return -1;
}

function isBase64Character(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2b ||
    code === 0x2f
  );
}

function readObjects(bytes: Buffer, start: number, end: number, depth: number): CpmField[] | Failure {
  if (depth > cpmNestingDepthMax)
    return {
      code: 'cpm_nesting_too_deep',
      byteOffset: start,
      detail: `templates nest deeper than ${cpmNestingDepthMax}`,
    };
  const fields: CpmField[] = [];
  let pos = start;
  while (pos < end) {
    const object = readObject(bytes, pos, end, depth);
    if ('code' in object) return object;
    fields.push(object.field);
    pos = object.next;
  }
  return fields;
}

function readObject(
  bytes: Buffer,
  start: number,
  end: number,
  depth: number,
): { field: CpmField; next: number } | Failure {
  const first = bytes[start]!;
  let pos = start + 1;
  // Low five bits all set: the tag continues while the high bit of each next byte is set.
  if ((first & 0x1f) === 0x1f) {
    while (pos < end && bytes[pos]! & 0x80) pos++;
    pos++;
  }
  if (pos >= end) return tlvFailure(start, 'truncated tag or length');
  const tag = bytes.toString('hex', start, pos).toUpperCase();
  const length = readLength(bytes, pos, end);
  if (length === undefined) return tlvFailure(pos, `bad length of ${tag}`);
  const valueStart = length.next;
  const valueEnd = valueStart + length.value;
  if (valueEnd > end) return tlvFailure(pos, `length of ${tag} runs past the end`);
  const name = tagNames[tag] ?? 'Unknown';
  if (first & 0x20) {
    const children = readObjects(bytes, valueStart, valueEnd, depth + 1);
    if (!Array.isArray(children)) return children;
    return { field: { tag, name, children }, next: valueEnd };
  }
  const hex = bytes.toString('hex', valueStart, valueEnd).toUpperCase();
  const field: CpmField = textTags.has(tag)
    ? { tag, name, hex, text: bytes.toString('latin1', valueStart, valueEnd) }
    : { tag, name, hex };
  return { field, next: valueEnd };
}

/** BER definite lengths: one byte below 0x80, or 0x81/0x82 followed by one or two bytes. */
function readLength(bytes: Buffer, at: number, end: number): { value: number; next: number } | undefined {
  const first = bytes[at]!;
  if (first < 0x80) return { value: first, next: at + 1 };
  const lengthBytes = first & 0x7f;
  if (lengthBytes < 1 || lengthBytes > 2 || at + lengthBytes >= end) return undefined;
  let value = 0;
  for (let i = 1; i <= lengthBytes; i++) value = (value << 8) | bytes[at + i]!;
  return { value, next: at + 1 + lengthBytes };
}

function tlvFailure(byteOffset: number, detail: string): Failure {
  return { code: 'cpm_tlv_invalid', byteOffset, detail };
}

/** Base64 writes 3 bytes as 4 characters: point at the group holding the byte. */
function fromFailure(failure: Failure): QrCodecFailure {
  return codecFailure(failure.code, Math.floor(failure.byteOffset / 3) * 4, '', failure.detail);
}
