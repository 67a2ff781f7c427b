// Payload builders shared by the tests of src/qr. Not a test file itself
// (vitest runs *.test.ts) and not behind the capability's door.
import { crc16ccitt } from './index.ts';

/** One data object: id, two-digit length in characters, value. */
export function tlv(id: string, value: string): string {
  const length = [...value].length;
  if (length > 99) throw new Error(`a value of ${length} characters does not fit a two-digit length`);
  return `${id}${String(length).padStart(2, '0')}${value}`;
}

/** A template's data object from its children, each already written with `tlv`. */
export function template(id: string, ...children: string[]): string {
  return tlv(id, children.join(''));
}

/** Appends 63 with the CRC of everything before its value. */
export function signed(body: string): string {
  return `${body}6304${crc16ccitt(`${body}6304`)}`;
}

/** The data objects of a payload that passes every strict rule, by id, to vary one at a time. */
const conformingFields: ReadonlyMap<string, string> = new Map([
  ['00', tlv('00', '01')],
  ['01', tlv('01', '12')],
  ['26', template('26', tlv('00', 'ID.CO.EXAMPLE.WWW'), tlv('01', '936000000000000001'))],
  ['52', tlv('52', '5812')],
  ['53', tlv('53', '360')],
  ['54', tlv('54', '15000.50')],
  ['58', tlv('58', 'ID')],
  ['59', tlv('59', 'Kedai Kopi')],
  ['60', tlv('60', 'Jakarta')],
  ['62', template('62', tlv('05', 'INV-001'), tlv('07', 'T1'))],
]);

/**
 * A signed payload of the conforming data objects in ascending id order, with
 * some replaced (a string written with `tlv`) or removed (null).
 */
export function conformingPayload(changes: Readonly<Record<string, string | null>> = {}): string {
  const ids = [...new Set([...conformingFields.keys(), ...Object.keys(changes)])].sort((a, b) => Number(a) - Number(b));
  const fields = ids.map((id) => (id in changes ? changes[id] : conformingFields.get(id)));
  return signed(fields.filter((field) => typeof field === 'string').join(''));
}
