// The EMVCo MPM TLV scanner: two-digit id, two-digit length counted in
// characters, value. Index-based over the string, with no regular expression
// and no substring but the values it returns, because wallets decode on every
// scan and the hub on every resolve.
import type { QrCodecError, QrField } from './model.ts';
import { childLevelsAt, idStrings, levelRoot, namesAt, templateMayBePlain, type Level } from './names.ts';

export type TlvFailure = {
  readonly code: QrCodecError;
  /** Index in UTF-16 code units; the decoder turns it into characters. */
  readonly unitPosition: number;
  readonly path: string;
  readonly detail: string;
};

const headerUnits = 4;
const digit0 = 0x30;

/**
 * What the scanner tells a rule checker as it reads, so that the rules need
 * no second walk over the tree.
 */
export interface FieldChecker {
  /** By id, 1 where a non-empty plain value at `level` has a rule; the scanner skips the others. */
  checkedIds(level: Level): Uint8Array;
  /** A plain value at `level` that has a rule or is empty, inside template `parentId` (-1 at the top level). */
  value(level: Level, parentId: number, id: number, value: string): void;
  /** The end of a level, with the ids seen there (0-31 and 32-63) as bit masks. */
  levelEnd(level: Level, parentId: number, seen0: number, seen1: number): void;
  /** Where the findings stand, to forget those of a template that turns out to be a plain value. */
  mark(): number;
  rollback(mark: number): void;
}

export type ScanOptions = {
  /** Whether a length must be walked code point by code point: EMVCo counts characters, JavaScript UTF-16 units. */
  readonly hasSurrogates: boolean;
  /** The ids of the template `text` is the value of, joined by "/", for failures. */
  readonly path?: string;
  readonly checker?: FieldChecker;
  /** Receives the index of each top-level data object. */
  readonly fieldStarts?: number[];
};

type Scan = {
  readonly text: string;
  readonly hasSurrogates: boolean;
  readonly checker: FieldChecker | undefined;
  readonly fieldStarts: number[] | undefined;
};

/** Reads the data objects of `text` at `level`, descending into templates. */
export function scanFields(text: string, level: Level, options: ScanOptions): QrField[] | TlvFailure {
  const scan: Scan = {
    text,
    hasSurrogates: options.hasSurrogates,
    checker: options.checker,
    fieldStarts: options.fieldStarts,
  };
  return scanLevel(scan, 0, text.length, level, -1, options.path ?? '');
}

function scanLevel(
  scan: Scan,
  start: number,
  end: number,
  level: Level,
  parentId: number,
  path: string,
): QrField[] | TlvFailure {
  const { text, checker } = scan;
  const checkedIds = checker?.checkedIds(level);
  const names = namesAt(level);
  const childLevels = childLevelsAt(level);
  const fields: QrField[] = [];
  // Ids seen at this level, as four 32-bit masks: ids are 0-99.
  let seen0 = 0;
  let seen1 = 0;
  let seen2 = 0;
  let seen3 = 0;
  let pos = start;
  while (pos < end) {
    if (end - pos < headerUnits)
      return failure('tlv_truncated', pos, path, `${end - pos} characters left where an id and a length need 4`);
    const id = twoDigits(text, pos);
    if (id < 0)
      return failure('tlv_id_invalid', pos, path, `id ${JSON.stringify(text.slice(pos, pos + 2))} is not two digits`);
    const length = twoDigits(text, pos + 2);
    if (length < 0)
      return failure(
        'tlv_length_invalid',
        pos + 2,
        path,
        `length ${JSON.stringify(text.slice(pos + 2, pos + 4))} of ${idStrings[id]} is not two digits`,
      );
    const valueStart = pos + headerUnits;
    const valueEnd = scan.hasSurrogates ? advanceCharacters(text, valueStart, length, end) : valueStart + length;
    if (valueEnd > end)
      return failure('tlv_value_overflow', pos + 2, path, `length ${length} of ${idStrings[id]} runs past the end`);
    const bit = 1 << (id & 31);
    if (id < 32) {
      if (seen0 & bit) return duplicate(pos, path, id);
      seen0 |= bit;
    } else if (id < 64) {
      if (seen1 & bit) return duplicate(pos, path, id);
      seen1 |= bit;
    } else if (id < 96) {
      if (seen2 & bit) return duplicate(pos, path, id);
      seen2 |= bit;
    } else {
      if (seen3 & bit) return duplicate(pos, path, id);
      seen3 |= bit;
    }
    if (level === levelRoot) scan.fieldStarts?.push(pos);
    const childLevel = childLevels[id];
    const children =
      childLevel === undefined || length === 0
        ? undefined
        : readTemplate(scan, valueStart, valueEnd, level, childLevel, id, path);
    if (children === undefined) {
      const value = text.slice(valueStart, valueEnd);
      if (checkedIds !== undefined && (checkedIds[id] === 1 || length === 0))
        checker!.value(level, parentId, id, value);
      fields.push({ id: idStrings[id]!, name: names[id]!, value });
    } else if (Array.isArray(children)) {
      fields.push({ id: idStrings[id]!, name: names[id]!, children });
    } else {
      return children;
    }
    pos = valueEnd;
  }
  checker?.levelEnd(level, parentId, seen0, seen1);
  return fields;
}

/** The children of a template; undefined when it does not parse but may stay a plain value. */
function readTemplate(
  scan: Scan,
  valueStart: number,
  valueEnd: number,
  level: Level,
  childLevel: Level,
  id: number,
  path: string,
): QrField[] | TlvFailure | undefined {
  const idText = idStrings[id]!;
  const mayBePlain = templateMayBePlain(level, id);
  const mark = mayBePlain ? scan.checker?.mark() : undefined;
  const children = scanLevel(scan, valueStart, valueEnd, childLevel, id, path === '' ? idText : `${path}/${idText}`);
  if (Array.isArray(children) || !mayBePlain) return children;
  if (mark !== undefined) scan.checker?.rollback(mark);
  return undefined;
}

function duplicate(pos: number, path: string, id: number): TlvFailure {
  return failure('tlv_id_duplicate', pos, path, `${idStrings[id]} appears twice`);
}

/** 0-99, or -1 when the two characters at `at` are not both digits. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - digit0;
  const units = text.charCodeAt(at + 1) - digit0;
  if (tens >>> 0 > 9 || units >>> 0 > 9) return -1;
  return tens * 10 + units;
}

/** The index `count` characters after `from`, a surrogate pair counting as one; stops once past `limit`. */
function advanceCharacters(text: string, from: number, count: number, limit: number): number {
  let pos = from;
  for (let left = count; left > 0 && pos <= limit; left--) {
    pos += isHighSurrogate(text.charCodeAt(pos)) && isLowSurrogate(text.charCodeAt(pos + 1)) ? 2 : 1;
  }
  return pos;
}

function failure(code: QrCodecError, unitPosition: number, path: string, detail: string): TlvFailure {
  return { code, unitPosition, path, detail };
}

// Whole-payload questions go to the regular expression engine: one native
// scan costs less than a JavaScript loop over the characters.
const surrogatePattern = /[\uD800-\uDFFF]/;
const notAnsPattern = /[^\x20-\x7E]/;

export function hasSurrogateUnits(text: string): boolean {
  return surrogatePattern.test(text);
}

/** Whether `text` holds only EMVCo "ans" characters: printable ASCII, space included. */
export function isAns(text: string): boolean {
  return !notAnsPattern.test(text);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The number of characters (code points) before the UTF-16 index `unitIndex`. */
export function characterIndex(text: string, unitIndex: number): number {
  let characters = 0;
  for (let i = 0; i < unitIndex; i++, characters++) {
    if (isHighSurrogate(text.charCodeAt(i)) && i + 1 < unitIndex && isLowSurrogate(text.charCodeAt(i + 1))) i++;
  }
  return characters;
}

/** The number of characters (code points) in `text`. */
export function characterCount(text: string): number {
  return characterIndex(text, text.length);
}
