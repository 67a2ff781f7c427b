/**
 * The three languages of every page, chosen from the browser's (Accept-Language on the server, then the
 * switcher's choice kept in the browser). Pure: the hub imports it to render titles and link previews.
 */
import { en, type MessageKey } from './messages/en.ts';
import { id } from './messages/id.ts';
import { zhCN } from './messages/zh-CN.ts';

export type { MessageKey } from './messages/en.ts';
export const languages = ['en', 'zh-CN', 'id'] as const;
export type Language = (typeof languages)[number];

export const catalogues: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zhCN, id };

/** Each language named in itself, as a switcher shows it: the same words on every page, so not translated. */
export const autonyms: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文', id: 'Bahasa Indonesia' };

/** The locale Intl formats with: Indonesian numbers want the country too (id-ID groups with dots). */
export const locales: Record<Language, string> = { en: 'en', 'zh-CN': 'zh-CN', id: 'id-ID' };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, params) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(params?.[name] ?? whole));
}

/** `zh`, `zh-Hans-CN`, `zh-TW` → zh-CN (the one Chinese there is); `in` is Indonesian's old code. */
export function matchLanguage(tag: string): Language | undefined {
  const lower = tag.trim().toLowerCase();
  const primary = lower.split('-')[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'id' || primary === 'in') return 'id';
  if (primary === 'en') return 'en';
  return undefined;
}

/** The first supported language of an Accept-Language header, by its q-values; English when none is. */
export function languageOfAcceptLanguage(header: string | undefined): Language {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...options] = part.split(';');
      const q = options.map((option) => option.trim()).find((option) => option.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const language = matchLanguage(entry.tag);
    if (language) return language;
  }
  return 'en';
}
