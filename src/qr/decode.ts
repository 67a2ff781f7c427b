import { decodeConsumerPresented } from './cpm.ts';
import { crcHex, crcOfPrefix } from './crc.ts';
import {
  codecFailure,
  type MpmDecoded,
  type QrCodecError,
  type QrCodecFailure,
  type QrDecodeResult,
  type QrField,
  type QrFinding,
  type QrMode,
  type QrPrimitive,
} from './model.ts';
import { levelRoot } from './names.ts';
import { MerchantPresentedRules } from './rules.ts';
import { characterCount, characterIndex, hasSurrogateUnits, scanFields, type TlvFailure } from './tlv.ts';

/**
 * The most characters a QR code holds (version 40, numeric mode). A scanned
 * payload cannot be longer, so anything longer is refused before any work; in
 * byte mode a QR code holds 2,953 bytes, fewer UTF-16 units than this.
 */
export const payloadCharsMax = 7_089;

const crcValueChars = 4;

/**
 * `findings: false` (lenient only) skips the EMVCo rules beyond the lenient
 * verdict: they never change it, and a wallet or the hub resolving a scan
 * needs only the verdict and the tree. `findings` is then empty.
 */
export type DecodeOptions = { readonly mode?: 'lenient'; readonly findings?: boolean } | { readonly mode: 'strict' };

/**
 * Reads an EMVCo QR payload: merchant-presented (starts with a digit) or
 * consumer-presented (base64 starting "hQ", the encoding of 0x85). Never
 * throws on any input string: what cannot be read is a codec failure with a
 * stable code and the character position where reading stopped.
 */
export function decode(payload: string, options?: DecodeOptions): QrDecodeResult {
  if (payload.length === 0) return codecFailure('payload_empty', 0, '', 'the payload is empty');
  if (payload.length > payloadCharsMax)
    return codecFailure('payload_too_long', payloadCharsMax, '', `more than ${payloadCharsMax} characters`);
  const first = payload.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39)
    return decodeMerchantPresented(
      payload,
      options?.mode ?? 'lenient',
      options?.mode === 'strict' || options?.findings !== false,
    );
  if (payload.startsWith('hQ')) return decodeConsumerPresented(payload);
  return codecFailure(
    'payload_kind_unknown',
    0,
    '',
    'neither merchant-presented (a digit first) nor consumer-presented (base64 "hQ" first)',
  );
}

function decodeMerchantPresented(payload: string, mode: QrMode, withFindings: boolean): MpmDecoded | QrCodecFailure {
  // A payload that passes ends with the four characters of the CRC: compute it
  // first, as the same pass says whether lengths need counting code point by code point.
  const prefix = crcOfPrefix(payload, Math.max(0, payload.length - crcValueChars));
  const hasSurrogates = !prefix.ascii && hasSurrogateUnits(payload);
  const rules = withFindings
    ? new MerchantPresentedRules(mode === 'strict' ? 'error' : 'warning', prefix.ans)
    : undefined;
  const scanned = scanFields(payload, levelRoot, { hasSurrogates, checker: rules });
  if (!Array.isArray(scanned)) return fromTlvFailure(payload, hasSurrogates, scanned);
  const fields: QrField[] = scanned;
  const envelope = checkEnvelope(payload, fields, prefix.crc, hasSurrogates);
  if (envelope !== undefined) return fromTlvFailure(payload, hasSurrogates, envelope);
  const crc = (fields.pop() as QrPrimitive).value;
  if (rules === undefined) return { kind: 'mpm', mode, valid: true, fields, crc, findings: [] };
  const findings = rules.finish(hasSurrogates ? characterCount(payload) : payload.length);
  if (hasLowerCaseHex(crc))
    findings.push({
      rule: 'crc_lowercase',
      severity: 'warning',
      path: '63',
      detail: `${crc} matches, but EMVCo writes it in upper case`,
    });
  const valid = mode === 'lenient' || !hasError(findings);
  return { kind: 'mpm', mode, valid, fields, crc, findings };
}

function hasError(findings: readonly QrFinding[]): boolean {
  for (const finding of findings) if (finding.severity === 'error') return true;
  return false;
}

/**
 * 00 first holding "01"; 63 last, holding four hex digits equal to the CRC of
 * everything before them (`prefixCrc`, computed before the payload was read).
 */
function checkEnvelope(
  payload: string,
  fields: readonly QrField[],
  prefixCrc: number,
  hasSurrogates: boolean,
): TlvFailure | undefined {
  const first = fields[0];
  if (first?.id !== '00') return envelopeFailure('format_indicator_missing', 0, 'the first data object is not 00');
  if (!('value' in first) || first.value !== '01')
    return envelopeFailure('format_indicator_invalid', 4, '00 does not hold 01');
  const last = fields[fields.length - 1]!;
  if (last.id !== '63') return missingCrcFailure(payload, fields, hasSurrogates);
  // 63 is last at the top level, so its value ends the payload; a primitive, as names.ts places it.
  const value = (last as QrPrimitive).value;
  const valueStart = payload.length - value.length;
  if (value.length !== crcValueChars && characterCount(value) !== crcValueChars) {
    return envelopeFailure('crc_length_invalid', valueStart - 2, `63 must hold ${crcValueChars} characters`);
  }
  const written = parseHex4(value);
  if (written < 0) return envelopeFailure('crc_not_hex', valueStart, `${JSON.stringify(value)} is not four hex digits`);
  if (written !== prefixCrc)
    return envelopeFailure('crc_mismatch', valueStart, `63 holds ${value}, the payload's CRC is ${crcHex(prefixCrc)}`);
  return undefined;
}

/** No 63 at the end: either there is none, or it is somewhere else, found by reading again with positions. */
function missingCrcFailure(payload: string, fields: readonly QrField[], hasSurrogates: boolean): TlvFailure {
  const crcIndex = fields.findIndex((field) => field.id === '63');
  if (crcIndex === -1) return envelopeFailure('crc_missing', payload.length, 'no 63 (CRC)');
  const fieldStarts: number[] = [];
  scanFields(payload, levelRoot, { hasSurrogates, fieldStarts });
  return envelopeFailure('crc_not_last', fieldStarts[crcIndex]!, '63 (CRC) is not the last data object');
}

/** Four hex digits (either case) as a number, or -1. */
function parseHex4(text: string): number {
  if (text.length !== crcValueChars) return -1;
  let value = 0;
  for (let i = 0; i < crcValueChars; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

function hasLowerCaseHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x61 && code <= 0x66) return true;
  }
  return false;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function envelopeFailure(code: QrCodecError, unitPosition: number, detail: string): TlvFailure {
  return { code, unitPosition, path: '', detail };
}

function fromTlvFailure(payload: string, hasSurrogates: boolean, failure: TlvFailure): QrCodecFailure {
  const position = hasSurrogates ? characterIndex(payload, failure.unitPosition) : failure.unitPosition;
  return codecFailure(failure.code, position, failure.path, failure.detail);
}
