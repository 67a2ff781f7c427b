/**
 * The architecture check run by `npm test` (src/architecture.test.ts) and
 * `npm run check:architecture`: doors, cycles, ports, problem codes and
 * function length. Every function here is pure over the tree it is pointed
 * at, so the self-test can point it at a tree it plants.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { lengthViolations, measureFunctions, readAllowList, staleAllowListEntries } from './function-length.ts';
import { type TypeOnlyTest, cruiseTree, cycleViolations, doorViolations, typeOnlySpecifiers } from './imports.ts';
import { portViolations } from './ports.ts';
import { documentedCodes, problemCodeViolations, registeredCodes, usedCodes } from './problem-codes.ts';
import { type ParsedFile, parseFile, productionFiles } from './source.ts';
import type { CheckOptions, ResolvedOptions, Violation } from './types.ts';

export type { CheckOptions, Rule, Violation } from './types.ts';

export const defaultOptions = {
  sourceDir: 'src',
  depcruiseConfig: '.dependency-cruiser.cjs',
  allowList: 'scripts/architecture/function-length-allowlist.json',
  problemsDoc: 'docs/problems.md',
  /** The browser's code (Vite, Preact): held to the function length, not to the hub's ports or doors. */
  pagesDir: 'web',
} as const;

export function resolveOptions(options: CheckOptions): ResolvedOptions {
  return { ...defaultOptions, ...options };
}

export async function checkArchitecture(options: CheckOptions): Promise<Violation[]> {
  const resolved = resolveOptions(options);
  const graph = await cruiseTree(resolved);
  const parsed = productionFiles(resolved.rootDir, resolved.sourceDir).map((file) => parseFile(resolved.rootDir, file));
  return [
    ...doorViolations(graph),
    ...cycleViolations(graph, resolved.sourceDir, typeOnlyTest(resolved.rootDir, parsed)),
    ...parsed.flatMap((file) => portViolations(file, resolved.sourceDir)),
    ...checkProblemCodes(parsed, resolved),
    ...checkFunctionLengths([...parsed, ...pageFiles(resolved)], resolved),
  ];
}

function pageFiles(options: ResolvedOptions): ParsedFile[] {
  if (!existsSync(path.join(options.rootDir, options.pagesDir))) return [];
  return productionFiles(options.rootDir, options.pagesDir).map((file) => parseFile(options.rootDir, file));
}

/** Type-only imports per file, parsing on demand the cruised files that are not production source. */
function typeOnlyTest(rootDir: string, parsed: ParsedFile[]): TypeOnlyTest {
  const byFile = new Map(parsed.map((file) => [file.file, typeOnlySpecifiers(file)]));
  return (file, specifier) => {
    if (!byFile.has(file)) byFile.set(file, typeOnlySpecifiers(parseFile(rootDir, file)));
    return byFile.get(file)?.has(specifier) ?? false;
  };
}

export function checkProblemCodes(parsed: ParsedFile[], options: ResolvedOptions): Violation[] {
  const doc = documentedCodes(path.resolve(options.rootDir, options.problemsDoc));
  return problemCodeViolations(parsed.flatMap(registeredCodes), parsed.flatMap(usedCodes), doc, options.problemsDoc);
}

export function checkFunctionLengths(parsed: ParsedFile[], options: ResolvedOptions): Violation[] {
  const allowList = readAllowList(path.resolve(options.rootDir, options.allowList));
  const measured = parsed.flatMap(measureFunctions);
  return [...lengthViolations(measured, allowList), ...staleAllowListEntries(measured, allowList, options.allowList)];
}

/** One line per violation, grouped by rule, for the CLI and the test's failure message. */
export function formatViolations(violations: Violation[]): string {
  if (violations.length === 0) return 'Architecture check: no violations.';
  const lines = violations.map((violation) => `  [${violation.rule}] ${violation.where}: ${violation.detail}`);
  return [`Architecture check: ${violations.length} violation(s)`, ...lines.sort()].join('\n');
}
