/** Production source files, parsed by swc, with a generic walk and byte-offset → line mapping. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Module, parseSync } from '@swc/core';

/** A parsed file: `line(node)` answers the 1-based line a node's span starts (or ends) on. */
export type ParsedFile = {
  file: string;
  module: Module;
  line: (offset: number) => number;
};

/** Any swc AST node; the walk only needs `type` and `span`. */
export type Node = { type?: string; span?: { start: number; end: number }; [key: string]: unknown };

/**
 * Tests and test support are not production source: `*.test.ts`, `*.test-support.ts`, `src/testing/`. The
 * pages' components (`.tsx`, under web/) are.
 */
export function isProductionSource(file: string, sourceDir: string): boolean {
  if (!/\.tsx?$/.test(file) || file.endsWith('.test.ts') || file.endsWith('.test-support.ts')) return false;
  return !file.startsWith(`${sourceDir}/testing/`);
}

/** Production files under `sourceDir`, as posix paths relative to `rootDir`, sorted. */
export function productionFiles(rootDir: string, sourceDir: string): string[] {
  const entries = readdirSync(path.join(rootDir, sourceDir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(rootDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => isProductionSource(file, sourceDir))
    .sort();
}

/**
 * swc spans are byte offsets from a base that is not the file's start (the
 * module's span starts at its first token, and the base may grow from parse
 * to parse). A leading `;` pins the first token to byte 0 of the text parsed,
 * without moving any line, so `offset - module.span.start` is a byte offset
 * into that text.
 */
export function parseFile(rootDir: string, file: string): ParsedFile {
  const text = `;${readFileSync(path.join(rootDir, file), 'utf8')}`;
  const module = parseSync(text, { syntax: 'typescript', tsx: file.endsWith('.tsx'), target: 'es2022' });
  const bytes = Buffer.from(text, 'utf8');
  const lineStarts = [0];
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lineStarts.push(at + 1);
  const line = (offset: number): number => lineOf(lineStarts, offset - module.span.start);
  return { file, module, line };
}

/** Binary search: the number of line starts at or before the byte offset. */
function lineOf(lineStarts: number[], byte: number): number {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((lineStarts[middle] ?? 0) <= byte) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A node's span; every node this check reports on has one. */
export function spanOf(node: Node): { start: number; end: number } {
  if (!node.span) throw new Error(`swc node ${node.type} has no span`);
  return node.span;
}

/** Every object-valued child of a node (arrays flattened), in source order. */
export function children(node: Node): Node[] {
  const found: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'span' || value === null || typeof value !== 'object') continue;
    for (const child of Array.isArray(value) ? value : [value])
      if (child !== null && typeof child === 'object') found.push(child as Node);
  }
  return found;
}

/** Depth-first walk; `visit` sees each node with its ancestors (nearest last). */
export function walk(root: Node, visit: (node: Node, ancestors: Node[]) => void): void {
  const ancestors: Node[] = [];
  const go = (node: Node): void => {
    visit(node, ancestors);
    ancestors.push(node);
    for (const child of children(node)) go(child);
    ancestors.pop();
  };
  go(root);
}

/** The name an identifier-like node carries (an identifier, `#private`, a string key), if any. */
export function nameOf(node: unknown): string | undefined {
  const candidate = node as Node | undefined;
  if (!candidate) return undefined;
  if (candidate.type === 'Identifier' || candidate.type === 'StringLiteral') return String(candidate.value);
  if (candidate.type === 'PrivateName') return `#${String(candidate.value)}`;
  return undefined;
}

/** The value of a plain string literal (or a template with no `${}`), else undefined. */
export function stringValue(node: unknown): string | undefined {
  const candidate = node as Node | undefined;
  if (candidate?.type === 'StringLiteral') return String(candidate.value);
  if (candidate?.type === 'TemplateLiteral' && (candidate.expressions as unknown[]).length === 0)
    return String((candidate.quasis as Node[])[0]?.cooked ?? '');
  return undefined;
}
