// EMVCo puts the merchant's name (59) and city (60) in its common character
// set, printable ASCII, for every wallet to show; the name and city in the
// merchant's own script go in the language template (64) with their
// language preference, as QRIS and UnionPay payloads carry them. This is how
// the hub makes the Latin form when a merchant gives none.
import { transliterate } from 'transliteration';
import { isAns } from './tlv.ts';

/** EMVCo: 59 and 64/01 hold at most 25 characters, 60 and 64/02 at most 15. */
export const merchantNameCharsMax = 25;
export const merchantCityCharsMax = 15;

/**
 * The Latin form of `text` for 59 or 60: itself when it is already printable
 * ASCII, else transliterated (`茶叶店` is `Cha Ye Dian`, `Café` is `Cafe`),
 * with anything left outside printable ASCII dropped, spaces collapsed and
 * the result cut to `charsMax`. Empty when nothing Latin remains (`☕`).
 */
export function latinOf(text: string, charsMax: number): string {
  const latin = isAns(text) ? text : transliterate(text);
  const printable = latin.replace(/[^\x20-\x7e]/g, '').replace(/ {2,}/g, ' ');
  return [...printable.trim()].slice(0, charsMax).join('').trim();
}

/** Scripts whose text names its language, by ISO 15924 code: Intl's likely subtags give the language. */
const scriptCodes = [
  'Hani',
  'Hira',
  'Kana',
  'Hang',
  'Thai',
  'Laoo',
  'Khmr',
  'Mymr',
  'Arab',
  'Hebr',
  'Cyrl',
  'Grek',
  'Armn',
  'Geor',
  'Deva',
  'Beng',
  'Guru',
  'Gujr',
  'Orya',
  'Taml',
  'Telu',
  'Knda',
  'Mlym',
  'Sinh',
  'Ethi',
] as const;
const scriptPatterns = scriptCodes.map((code) => ({ code, pattern: new RegExp(`\\p{Script=${code}}`, 'u') }));

/**
 * The language preference (ISO 639-1) for text in `64`: that of the first
 * script it is written in that names one (Hangul: `ko`, Thai: `th`, any
 * kana: `ja`; Han: `ja` in JP, `ko` in KR, else `zh`), else the likeliest language of the merchant's country (`Café`
 * in FR: `fr`; in ID: `id`), else `en`.
 */
export function languageOf(text: string, countryCode: string): string {
  let first: { code: string; at: number } | undefined;
  for (const { code, pattern } of scriptPatterns) {
    const at = text.search(pattern);
    if (at !== -1 && (first === undefined || at < first.at)) first = { code, at };
  }
  const likely = (subtag: string) => {
    try {
      return new Intl.Locale(`und-${subtag}`).maximize().language;
    } catch {
      return undefined;
    }
  };
  const inCountry = likely(countryCode);
  // Kana is Japanese wherever it stands beside Han; Han alone is the language of a country that writes it.
  const script = /[\p{Script=Hira}\p{Script=Kana}]/u.test(text) ? 'Kana' : first?.code;
  const hanLanguage = inCountry === 'ja' || inCountry === 'ko' ? inCountry : 'zh';
  const language = (script === 'Hani' ? hanLanguage : script && likely(script)) ?? inCountry ?? 'en';
  return /^[a-z]{2}$/.test(language) ? language : 'en';
}

export type EmvNames = {
  /** Printable ASCII, for 59 and 60. */
  readonly nameLatin: string;
  readonly cityLatin: string;
  /** The language preference of 64, or null when name and city are already their Latin forms. */
  readonly language: string | null;
};

/**
 * What a payload carries for a merchant: the Latin name and city given, or
 * made by `latinOf` (a name with nothing Latin in it becomes `Merchant`, a
 * city its country code), and the language of the originals when 64 is
 * needed: given, or guessed by `languageOf`.
 */
export function emvNamesOf(merchant: {
  name: string;
  city: string;
  country: string;
  nameLatin?: string | null | undefined;
  cityLatin?: string | null | undefined;
  language?: string | null | undefined;
}): EmvNames {
  const nameLatin = merchant.nameLatin ?? (latinOf(merchant.name, merchantNameCharsMax) || 'Merchant');
  const cityLatin = merchant.cityLatin ?? (latinOf(merchant.city, merchantCityCharsMax) || merchant.country);
  const needsOriginal = merchant.name !== nameLatin || merchant.city !== cityLatin;
  const language = needsOriginal
    ? (merchant.language ?? languageOf(`${merchant.name} ${merchant.city}`, merchant.country))
    : null;
  return { nameLatin, cityLatin, language };
}
