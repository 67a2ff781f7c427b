// Where each data object sits in the EMVCo MPM tree: its name, and whether
// its value is a template of further data objects. Tables indexed by the
// numeric id, so the decoder looks a name up without building a string.

/** The levels of the tree; a template's id decides the level of its children. */
export const levelRoot = 0;
export const levelMerchantAccount = 1;
export const levelAdditionalData = 2;
export const levelPaymentSystem = 3;
export const levelLanguage = 4;
export const levelUnreserved = 5;
export type Level = 0 | 1 | 2 | 3 | 4 | 5;

const idCount = 100;

/** "00" to "99", so that decoding reuses one string per id. */
export const idStrings: readonly string[] = Array.from({ length: idCount }, (_, id) => String(id).padStart(2, '0'));

function table<T>(entries: readonly (readonly [from: number, to: number, value: T])[], fallback: T): T[] {
  const values = new Array<T>(idCount).fill(fallback);
  for (const [from, to, value] of entries) values.fill(value, from, to + 1);
  return values;
}

const rootNames = table(
  [
    [0, 0, 'Payload Format Indicator'],
    [1, 1, 'Point of Initiation Method'],
    [2, 3, 'Merchant Account Information (Visa)'],
    [4, 5, 'Merchant Account Information (Mastercard)'],
    [6, 8, 'Merchant Account Information (EMVCo)'],
    [9, 10, 'Merchant Account Information (Discover)'],
    [11, 12, 'Merchant Account Information (Amex)'],
    [13, 14, 'Merchant Account Information (JCB)'],
    [15, 16, 'Merchant Account Information (UnionPay)'],
    [17, 25, 'Merchant Account Information (EMVCo)'],
    [26, 51, 'Merchant Account Information'],
    [52, 52, 'Merchant Category Code'],
    [53, 53, 'Transaction Currency'],
    [54, 54, 'Transaction Amount'],
    [55, 55, 'Tip or Convenience Indicator'],
    [56, 56, 'Value of Convenience Fee Fixed'],
    [57, 57, 'Value of Convenience Fee Percentage'],
    [58, 58, 'Country Code'],
    [59, 59, 'Merchant Name'],
    [60, 60, 'Merchant City'],
    [61, 61, 'Postal Code'],
    [62, 62, 'Additional Data Field Template'],
    [63, 63, 'CRC'],
    [64, 64, 'Merchant Information—Language Template'],
    [80, 99, 'Unreserved Template'],
  ],
  'RFU for EMVCo',
);

const guidName = 'Globally Unique Identifier';

const names: readonly (readonly string[])[] = [
  rootNames,
  table([[0, 0, guidName]], 'Payment Network Specific'),
  table(
    [
      [1, 1, 'Bill Number'],
      [2, 2, 'Mobile Number'],
      [3, 3, 'Store Label'],
      [4, 4, 'Loyalty Number'],
      [5, 5, 'Reference Label'],
      [6, 6, 'Customer Label'],
      [7, 7, 'Terminal Label'],
      [8, 8, 'Purpose of Transaction'],
      [9, 9, 'Additional Consumer Data Request'],
      [50, 99, 'Payment System Specific Template'],
    ],
    'RFU for EMVCo',
  ),
  table([[0, 0, guidName]], 'Payment System Specific'),
  table(
    [
      [0, 0, 'Language Preference'],
      [1, 1, 'Merchant Name—Alternate Language'],
      [2, 2, 'Merchant City—Alternate Language'],
    ],
    'RFU for EMVCo',
  ),
  table([[0, 0, guidName]], 'Context Specific Data'),
];

/** The level of a template's children by id, undefined for a plain value. */
const childLevels: readonly (readonly (Level | undefined)[])[] = [
  table<Level | undefined>(
    [
      [26, 51, levelMerchantAccount],
      [62, 62, levelAdditionalData],
      [64, 64, levelLanguage],
      [80, 99, levelUnreserved],
    ],
    undefined,
  ),
  table([], undefined),
  table<Level | undefined>([[50, 99, levelPaymentSystem]], undefined),
  table([], undefined),
  table([], undefined),
  table([], undefined),
];

/** The names of the data objects at `level`, by numeric id. */
export function namesAt(level: Level): readonly string[] {
  return names[level]!;
}

/** The levels of the children of the templates at `level`, by numeric id. */
export function childLevelsAt(level: Level): readonly (Level | undefined)[] {
  return childLevels[level]!;
}

/** The level of the children of `id` at `level`, or undefined when its value is plain. */
export function childLevelOf(level: Level, id: number): Level | undefined {
  return childLevels[level]![id];
}

/**
 * Whether a template may instead hold a plain value: unreserved templates
 * (80-99) and payment-system templates (62/50-99) belong to whoever defines
 * them, and real codes put plain values there. EMVCo's own templates (26-51,
 * 62, 64) must parse, or the payload is broken.
 */
export function templateMayBePlain(level: Level, id: number): boolean {
  return (level === levelRoot && id >= 80) || level === levelAdditionalData;
}

/**
 * The name of the data object at a path of ids, e.g. ["62", "05"] is
 * "Reference Label"; undefined when the path does not lead to a data object
 * the specification places.
 */
export function fieldName(path: readonly string[]): string | undefined {
  let level: Level | undefined = levelRoot;
  let name: string | undefined;
  for (const idText of path) {
    const id = idNumber(idText);
    if (level === undefined || id === undefined) return undefined;
    name = names[level]![id];
    level = childLevelOf(level, id);
  }
  return name;
}

/** 0-99 for a two-digit id, undefined otherwise. */
export function idNumber(id: string): number | undefined {
  if (id.length !== 2) return undefined;
  const tens = id.charCodeAt(0) - 0x30;
  const units = id.charCodeAt(1) - 0x30;
  if (tens < 0 || tens > 9 || units < 0 || units > 9) return undefined;
  return tens * 10 + units;
}
