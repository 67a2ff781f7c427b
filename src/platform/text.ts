/**
 * Names and cities are Unicode text in any script (`茶叶店`, `Café`,
 * `☕ Kopi`), one line each. What could hide or reorder what a reader sees,
 * or break a line, a log or a file, is refused:
 *
 * - control characters (C0, DEL, C1: NUL, tab, newline...) and line or
 *   paragraph separators;
 * - bidirectional controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069),
 *   which make `ABC‮gpj.exe` read as another name;
 * - other invisible format characters (U+00AD, U+200B, U+2060-2064, U+FEFF,
 *   tags...), but the zero-width joiner and non-joiner, which Indic and
 *   Persian text and emoji sequences need;
 * - private-use, unassigned and lone surrogate code points;
 * - a text that is empty, or begins or ends with white space.
 */
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const controls = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const invisibleFormats = /(?![\u200C\u200D])\p{Cf}/u;
const unusable = /[\p{Co}\p{Cn}]/u;

function codePointOf(match: RegExpExecArray): string {
  return `U+${(match[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` is not one safe line of Unicode text, or undefined when it is. */
export function unsafeTextOf(text: string): string | undefined {
  if (/\p{Cs}/u.test(text)) return 'holds a lone surrogate: it is not well-formed Unicode';
  const checks: [RegExp, string][] = [
    [controls, 'a control character'],
    [bidiControls, 'a bidirectional control'],
    [invisibleFormats, 'an invisible format character'],
    [unusable, 'a private-use or unassigned code point'],
  ];
  for (const [pattern, what] of checks) {
    const match = pattern.exec(text);
    if (match) return `holds ${what} (${codePointOf(match)})`;
  }
  if (text.trim() === '') return 'is blank';
  if (text.trim() !== text) return 'begins or ends with white space';
  return undefined;
}
