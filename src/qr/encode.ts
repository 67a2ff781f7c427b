import { crc16ccitt } from './crc.ts';
import { payloadCharsMax } from './decode.ts';
import type { QrEncodeError, QrEncodeResult, QrField, QrFieldInput } from './model.ts';
import { childLevelOf, idNumber, levelRoot, templateMayBePlain, type Level } from './names.ts';
import { characterCount } from './tlv.ts';

/** EMVCo lengths are two digits. */
export const valueCharsMax = 99;

const crcHeader = '6304';
const firstTemplateId = 26;
const lastTemplateId = 51;

type EncodeFailure = { ok: false; code: QrEncodeError; path: string };

/**
 * Writes a merchant-presented payload from a tree: at every level the data
 * objects in ascending id order (so 00 and 01 first), then 63 with the CRC in
 * upper case. Names are ignored; `decode` puts them back. Refuses, with the
 * path of the data object, any tree `decode` would not read back as itself.
 */
export function encode(fields: readonly QrFieldInput[]): QrEncodeResult {
  const body = encodeLevel(fields, levelRoot, '');
  if (typeof body !== 'string') return body;
  if (!fields.some((field) => field.id === '00' && 'value' in field && field.value === '01')) {
    return { ok: false, code: 'format_indicator_invalid', path: '00' };
  }
  const signed = body + crcHeader;
  const payload = signed + crc16ccitt(signed);
  if (payload.length > payloadCharsMax) return { ok: false, code: 'payload_too_long', path: '' };
  return { ok: true, payload };
}

function encodeLevel(fields: readonly QrFieldInput[], level: Level, parentPath: string): string | EncodeFailure {
  const ordered: { id: number; field: QrFieldInput }[] = [];
  for (const field of fields) {
    // Trees come from JSON files too: check the shape the type promises.
    const idText: unknown = typeof field === 'object' && field !== null ? field.id : undefined;
    const id = typeof idText === 'string' ? idNumber(idText) : undefined;
    if (id === undefined) return refuse('field_id_invalid', parentPath, String(idText));
    ordered.push({ id, field });
  }
  ordered.sort((a, b) => a.id - b.id);
  let out = '';
  for (let i = 0; i < ordered.length; i++) {
    const { id, field } = ordered[i]!;
    if (i > 0 && ordered[i - 1]!.id === id) return refuse('field_id_duplicate', parentPath, field.id);
    const content = encodeContent(field, id, level, joinPath(parentPath, field.id));
    if (typeof content !== 'string') return content;
    out += field.id + String(characterCount(content)).padStart(2, '0') + content;
  }
  return out;
}

function encodeContent(field: QrFieldInput, id: number, level: Level, path: string): string | EncodeFailure {
  const hasValue = 'value' in field && typeof field.value === 'string';
  const hasChildren = 'children' in field && Array.isArray(field.children);
  if (hasValue === hasChildren) return { ok: false, code: 'field_shape_invalid', path };
  if (level === levelRoot && id === 63) return { ok: false, code: 'field_crc_reserved', path };
  const childLevel = childLevelOf(level, id);
  let content: string | EncodeFailure;
  if ('children' in field) {
    if (childLevel === undefined) return { ok: false, code: 'field_primitive_expected', path };
    content = encodeLevel(field.children, childLevel, path);
  } else {
    if (childLevel !== undefined && !templateMayBePlain(level, id))
      return { ok: false, code: 'field_template_expected', path };
    content = field.value;
  }
  if (typeof content !== 'string') return content;
  if (content.length === 0) return { ok: false, code: 'field_value_empty', path };
  if (characterCount(content) > valueCharsMax) return { ok: false, code: 'field_value_too_long', path };
  return content;
}

function refuse(code: QrEncodeError, parentPath: string, id: string): EncodeFailure {
  return { ok: false, code, path: joinPath(parentPath, id) };
}

function joinPath(parentPath: string, id: string): string {
  return parentPath === '' ? id : `${parentPath}/${id}`;
}

/** The data object at a path of ids such as "62/05", or undefined. */
export function findField(fields: readonly QrField[], path: string): QrField | undefined {
  let level: readonly QrField[] | undefined = fields;
  let found: QrField | undefined;
  for (const id of path.split('/')) {
    found = level?.find((field) => field.id === id);
    level = found !== undefined && 'children' in found ? found.children : undefined;
  }
  return found;
}

/**
 * The first merchant-account template id (26-51) not yet used, for a network
 * adding its own template beside those already on a placard; undefined when
 * all 26 are taken.
 */
export function firstFreeTemplateId(fields: readonly { readonly id: string }[]): string | undefined {
  for (let id = firstTemplateId; id <= lastTemplateId; id++) {
    const idText = String(id);
    if (!fields.some((field) => field.id === idText)) return idText;
  }
  return undefined;
}
