import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkArchitecture, formatViolations, type Violation } from '../scripts/architecture/check.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

// The check reads files, not a database: npm test runs the suite on SQLite and then on
// PostgreSQL, and once is enough (twice would only print the same violations twice).
const onceOnly = process.env.LINTAS_TEST_ENGINE === 'postgres';
if (onceOnly) {
  console.log('skipped on PostgreSQL, by design: the architecture check reads files, and the SQLite run ran it');
}

describe.skipIf(onceOnly)('architecture', () => {
  test(
    'the tree keeps the house rules: doors, no cycles, ports, documented problem codes, short ' + 'functions',
    async () => {
      const violations = await checkArchitecture({ rootDir: repoRoot });
      // Compared as text so a failure lists every violation, one a line.
      expect(formatViolations(violations)).toBe(formatViolations([]));
    },
  );
});

/** A function of exactly `lines` lines, named `name`. */
function functionOfLines(name: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`export function ${name}(): number {`, ...body.slice(0, -1), '  return 0;', '}'].join('\n');
}

/**
 * A small tree with one of each violation planted, and near misses that
 * must stay quiet: the capabilities map using a manifest, a type-only
 * import (a folder edge, not a file-cycle edge), the clock inside
 * src/platform, a test and src/testing using randomness, a 70-line
 * function, and a long function that is on the allow-list at its length.
 */
const plantedTree: Record<string, string> = {
  'src/http/index.ts': "export { Problem, registerProblemCodes } from './problems.ts';",
  'src/http/problems.ts': [
    "const problemCatalogue = { not_found: [404, 'Not found'] } as const satisfies Record<string, readonly " +
      '[number, string]>;',
    'export function registerProblemCodes(_codes: Record<string, readonly [number, string]>): void {}',
    'export class Problem extends Error {',
    '  constructor(readonly code: string, detail: string) { super(detail); }',
    '}',
    "export const missing = () => new Problem('not_found', String(problemCatalogue));",
  ].join('\n'),
  'src/platform/index.ts': [
    'export const now = (): number => Date.now();',
    'export function refuse(code: string, detail: string) { return { ok: false, code, detail }; }',
  ].join('\n'),
  'src/alpha/index.ts': "export { a, type A } from './a.ts';",
  'src/alpha/a.ts':
    "import { b } from '../beta/index.ts';\nexport type A = number;\nexport const a = (): number => b();",
  'src/alpha/manifest.ts': 'export const manifest = 1;',
  'src/beta/index.ts': "export { b } from './b.ts';",
  'src/beta/b.ts': [
    "import type { A } from '../alpha/index.ts';",
    "import { registerProblemCodes } from '../http/index.ts';",
    "registerProblemCodes({ beta_full: [409, 'Beta is full'] });",
    'export const b = (): A => 1;',
  ].join('\n'),
  'src/gamma/index.ts': "export { one } from './one.ts';",
  'src/gamma/one.ts': [
    "import { refuse } from '../platform/index.ts';",
    "import { two } from './two.ts';",
    "export const one = () => [two, refuse('beta_full', 'full')];",
    "export const unknown = () => refuse('gamma_unknown', 'nobody registered this');",
  ].join('\n'),
  'src/gamma/two.ts': "import { one } from './one.ts';\nexport const two = () => one;",
  'src/delta/index.ts': "export { reach } from './reach.ts';",
  'src/delta/reach.ts': "import { two } from '../gamma/two.ts';\nexport const reach = two;",
  'src/delta/clock.ts': '// the clock, read directly\nexport const stamp = () => Date.now();',
  'src/delta/clock.test.ts': 'export const r = Math.random();',
  'src/testing/world.ts': "import { randomBytes } from 'node:crypto';\nexport const seed = randomBytes(4);",
  'src/epsilon/index.ts': "export { long, fine, tolerated } from './long.ts';",
  'src/epsilon/long.ts': [
    functionOfLines('long', 71),
    functionOfLines('fine', 70),
    functionOfLines('tolerated', 75),
  ].join('\n'),
  'src/capabilities.ts': "export { manifest } from './alpha/manifest.ts';",
  'docs/problems.md': [
    '| code | status | meaning | what the caller should do |',
    '| --- | --- | --- | --- |',
    '| `not_found` | 404 | Not found | Check the id. |',
    '| `beta_full` | 409 | Beta is full | Wait. |',
  ].join('\n'),
  'scripts/architecture/function-length-allowlist.json': JSON.stringify({
    'src/epsilon/long.ts#tolerated': 75,
    'src/epsilon/long.ts#gone': 90,
  }),
};

describe.skipIf(onceOnly)('the architecture check itself', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lintas-architecture-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(plantedTree)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${text}\n`);
  }
  const check = (): Promise<Violation[]> =>
    checkArchitecture({ rootDir: root, depcruiseConfig: path.join(repoRoot, '.dependency-cruiser.cjs') });

  test('each rule fires exactly where it was planted, and nowhere else', async () => {
    const found = (await check()).map((violation) => `${violation.rule} ${violation.where}`).sort();
    expect(found).toEqual([
      'allow-list-stale function-length-allowlist.json',
      'door src/delta/reach.ts',
      'file-cycle src/gamma/one.ts',
      'folder-cycle src/alpha',
      'function-length src/epsilon/long.ts:1',
      'port src/delta/clock.ts:2',
      'problem-code src/gamma/one.ts:4',
    ]);
  });

  test('the violations say what is wrong', async () => {
    const byRule = new Map((await check()).map((violation) => [violation.rule, violation.detail]));
    expect(byRule.get('door')).toContain('src/gamma/two.ts');
    expect(byRule.get('file-cycle')).toBe('cycle: src/gamma/one.ts → src/gamma/two.ts → src/gamma/one.ts');
    expect(byRule.get('folder-cycle')).toBe('cycle: src/alpha → src/beta → src/alpha');
    expect(byRule.get('port')).toContain('Date.now');
    expect(byRule.get('problem-code')).toContain('gamma_unknown is used but never registered');
    expect(byRule.get('function-length')).toBe('src/epsilon/long.ts#long is 71 lines (max 70); split it');
    expect(byRule.get('allow-list-stale')).toBe('src/epsilon/long.ts#gone (allowed 90) is gone');
  });
});
