/**
 * What the hub wrote into the page for its script: the language it chose from Accept-Language and the
 * currencies' minor-unit exponents (the hub's money table), in a JSON block that runs nothing.
 */
import { type Language, languages, matchLanguage } from './i18n.ts';

export type Boot = { language: Language; exponents: Record<string, number> };

export function readBoot(): Boot {
  const text = document.getElementById('boot')?.textContent ?? '{}';
  const parsed = JSON.parse(text) as Partial<Boot>;
  return { language: parsed.language ?? 'en', exponents: parsed.exponents ?? {} };
}

const storageKey = 'lintas.language';

/** The switcher's choice (a `?lang=` link, then the one kept in this browser), else the hub's. */
export function initialLanguage(boot: Boot): Language {
  const asked = new URLSearchParams(location.search).get('lang');
  const kept = safeStorage()?.getItem(storageKey);
  for (const candidate of [asked, kept]) {
    const language = candidate ? matchLanguage(candidate) : undefined;
    if (language && (languages as readonly string[]).includes(language)) return language;
  }
  return boot.language;
}

export function keepLanguage(language: Language): void {
  safeStorage()?.setItem(storageKey, language);
}

/** Storage a browser may refuse (private modes, blocked cookies): a choice not kept is no error. */
function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
