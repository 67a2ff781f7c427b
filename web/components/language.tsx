import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { type Boot, initialLanguage, keepLanguage } from '../shared/boot.ts';
import {
  type Language,
  type MessageKey,
  type Translate,
  autonyms,
  languages,
  locales,
  translator,
} from '../shared/i18n.ts';
import { formatAmount } from '../shared/money.ts';

export type Words = {
  language: Language;
  t: Translate;
  money: (minorUnits: number, currency: string) => string;
  exponentOf: (currency: string) => number;
  choose: (language: Language) => void;
};

const WordsContext = createContext<Words | undefined>(undefined);

export function useWords(): Words {
  const words = useContext(WordsContext);
  if (!words) throw new Error('a page renders inside <WithWords>');
  return words;
}

/** The page's language and its formatters; a change re-renders every string and the `lang` attribute. */
export function WithWords(props: { boot: Boot; title: MessageKey; children: ComponentChildren }) {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(props.boot));
  const words = useMemo<Words>(() => {
    const locale = locales[language];
    return {
      language,
      t: translator(language),
      money: (minorUnits, currency) => formatAmount(minorUnits, currency, props.boot.exponents[currency] ?? 2, locale),
      exponentOf: (currency) => props.boot.exponents[currency] ?? 2,
      choose: (next) => {
        keepLanguage(next);
        setLanguage(next);
      },
    };
  }, [language, props.boot]);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = words.t(props.title);
  }, [language, words, props.title]);
  return <WordsContext.Provider value={words}>{props.children}</WordsContext.Provider>;
}

export function LanguageSwitcher() {
  const { language, t, choose } = useWords();
  return (
    <div class="language">
      <label for="language">{t('common.language')}</label>
      <select
        id="language"
        value={language}
        onChange={(event) => choose((event.currentTarget as HTMLSelectElement).value as Language)}
      >
        {languages.map((option) => (
          <option key={option} value={option} lang={option}>
            {autonyms[option]}
          </option>
        ))}
      </select>
    </div>
  );
}
