import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { capabilities } from './capabilities.ts';

const srcDir = import.meta.dirname;
const rootFiles = ['app.ts', 'server.ts', 'cli.ts'];
/** The transport every route runs on: app.ts builds the server from its pieces, so it may name it. */
const transportFolder = 'http';

const foldersWithManifest = readdirSync(srcDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(srcDir, entry.name, 'manifest.ts')))
  .map((entry) => entry.name)
  .sort();

describe('the map of the system', () => {
  test('every folder with a manifest is listed once in src/capabilities.ts, under its folder name', () => {
    const names = capabilities.map((capability) => capability.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(foldersWithManifest);
  });

  test.each(rootFiles)('%s names no capability: it only iterates the list', (file) => {
    const text = readFileSync(join(srcDir, file), 'utf8');
    for (const name of foldersWithManifest.filter((folder) => folder !== transportFolder)) {
      expect(text, `${file} imports ${name}`).not.toMatch(new RegExp(`from '\\./${name}/`));
      expect(text, `${file} names ${name}`).not.toMatch(new RegExp(`\\b${name}[A-Z]\\w*\\(|\\b${name}Capability\\b`));
    }
  });

  test('every problem code a manifest registers is named once across manifests', () => {
    const codes = capabilities.flatMap((capability) => Object.keys(capability.problemCodes ?? {}));
    expect(new Set(codes).size).toBe(codes.length);
  });
});
