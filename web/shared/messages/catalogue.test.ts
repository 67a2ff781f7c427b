import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { catalogues, languages } from '../i18n.ts';
import { en } from './en.ts';

const root = new URL('../../../', import.meta.url).pathname;
/** Where pages take their words from the catalogue: the browser's code and the hub's page routes. */
const sourceFolders = ['web', 'src/web'];

function sources(): { file: string; text: string }[] {
  return sourceFolders.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !file.includes('/messages/'))
      .map((file) => ({ file, text: readFileSync(file, 'utf8') })),
  );
}

const keys = Object.keys(en);
/** Words the same in a language as in English: a pattern of numbers, or the same word. */
const sameByNature: Record<string, string[]> = {
  'zh-CN': ['checkout.line'],
  id: ['checkout.line', 'checkout.total'],
};
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the message catalogue', () => {
  test.each(languages)('%s has every key of English and no other', (language) => {
    expect(Object.keys(catalogues[language]).sort()).toEqual([...keys].sort());
  });

  test.each(languages)('%s keeps the placeholders of each English message', (language) => {
    for (const key of keys) {
      const message = catalogues[language][key as keyof typeof en];
      expect(message.trim(), `${language} ${key}`).not.toBe('');
      expect(placeholders(message), `${language} ${key}`).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  test.each(['zh-CN', 'id'] as const)('%s translates every message (none is left in English)', (language) => {
    const untranslated = keys.filter(
      (key) =>
        catalogues[language][key as keyof typeof en] === en[key as keyof typeof en] &&
        !sameByNature[language]?.includes(key),
    );
    expect(untranslated).toEqual([]);
  });

  test('every key a page asks for exists, and every key is asked for somewhere', () => {
    const all = sources();
    const asked = new Set(all.flatMap(({ text }) => [...text.matchAll(/\bt\(\s*'([^']+)'/g)].map((match) => match[1])));
    expect([...asked].filter((key) => key !== undefined && !(key in en))).toEqual([]);
    const literals = new Set(all.flatMap(({ text }) => [...text.matchAll(/'([a-z]+\.[\w.-]+)'/g)].map((m) => m[1])));
    expect(keys.filter((key) => !literals.has(key))).toEqual([]);
  });
});
