/**
 * Rule (e): no function over 70 lines, except those on the allow-list, which
 * may only shrink: an entry whose function grew, shrank or went away fails
 * too, so the list is lowered as the code gets better and never creeps up.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Node, type ParsedFile, nameOf, spanOf, stringValue, walk } from './source.ts';
import type { Violation } from './types.ts';

export const maxFunctionLines = 70;

/** `"src/x/y.ts#name": lines`: the long functions tolerated for now, at their current length. */
export type AllowList = Record<string, number>;

export type MeasuredFunction = { key: string; line: number; lines: number };

const functionTypes = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ClassMethod',
  'PrivateMethod',
  'Constructor',
  'MethodProperty',
  'GetterProperty',
  'SetterProperty',
]);
const classTypes = new Set(['ClassDeclaration', 'ClassExpression']);
/** Wrappers that do not change what a function is called: `(x)`, `x as T`, call arguments. */
const transparentTypes = new Set([undefined, 'ParenthesisExpression', 'TsAsExpression', 'TsSatisfiesExpression']);

export function readAllowList(file: string): AllowList {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AllowList) : {};
}

/**
 * Every function with a body, keyed `path#name`. Nested ones are named
 * after their enclosing function (`register>post('/payments')`), class
 * members after their class (`Problem.toBody`); a repeated key gets `~2`.
 */
export function measureFunctions(parsed: ParsedFile): MeasuredFunction[] {
  const names = new Map<Node, string>();
  const seen = new Map<string, number>();
  const measured: MeasuredFunction[] = [];
  walk(parsed.module as unknown as Node, (node, ancestors) => {
    if (!functionTypes.has(node.type ?? '') || !hasBody(node)) return;
    const enclosing = [...ancestors].reverse().find((ancestor) => names.has(ancestor));
    const own = ownName(node, ancestors);
    const name = enclosing ? `${names.get(enclosing)}>${own}` : own;
    names.set(node, name);
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const start = parsed.line(spanOf(node).start);
    const lines = parsed.line(spanOf(node).end - 1) - start + 1;
    measured.push({ key: `${parsed.file}#${count > 1 ? `${name}~${count}` : name}`, line: start, lines });
  });
  return measured;
}

/** Overload signatures and abstract methods have no body, so no length. */
function hasBody(node: Node): boolean {
  const fn = (node.function as Node | undefined) ?? node;
  return fn.body !== null && fn.body !== undefined;
}

function ownName(node: Node, ancestors: Node[]): string {
  const className = nameOf(
    [...ancestors].reverse().find((ancestor) => classTypes.has(ancestor.type ?? ''))?.identifier,
  );
  const memberKey = nameOf(node.key);
  // Object-literal members take no class prefix even when the object sits in a class.
  const inObject = ['MethodProperty', 'GetterProperty', 'SetterProperty'].includes(node.type ?? '');
  if (memberKey !== undefined) return inObject || !className ? memberKey : `${className}.${memberKey}`;
  return contextName(ancestors) ?? nameOf(node.identifier) ?? 'anonymous';
}

/** What the code around an unnamed function calls it: its variable, property, assignment or call. */
function contextName(ancestors: Node[]): string | undefined {
  const parent = [...ancestors].reverse().find((ancestor) => !transparentTypes.has(ancestor.type));
  switch (parent?.type) {
    case 'VariableDeclarator':
      return nameOf(parent.id);
    case 'KeyValueProperty':
    case 'ClassProperty':
    case 'PrivateProperty':
      return nameOf(parent.key);
    case 'AssignmentExpression':
      return nameOf(parent.left) ?? nameOf((parent.left as Node).property);
    case 'CallExpression':
    case 'NewExpression':
      return callName(parent);
    case 'ReturnStatement':
      return 'returned';
    case 'ExportDefaultDeclaration':
    case 'ExportDefaultExpression':
      return 'default';
    default:
      return undefined;
  }
}

/** `app.post('/x', () => …)` → `post('/x')`; `run(() => …)` → `run(…)`. */
function callName(call: Node): string {
  const callee = call.callee as Node;
  const name = nameOf(callee) ?? nameOf(callee.property) ?? 'call';
  const first = stringValue(((call.arguments as Node[] | undefined) ?? [])[0]?.expression);
  return first === undefined ? `${name}(…)` : `${name}('${first}')`;
}

export function lengthViolations(measured: MeasuredFunction[], allowList: AllowList): Violation[] {
  return measured
    .filter((fn) => fn.lines > maxFunctionLines && fn.lines > (allowList[fn.key] ?? 0))
    .map((fn) => ({
      rule: 'function-length',
      where: `${fn.key.split('#')[0]}:${fn.line}`,
      detail:
        fn.key in allowList
          ? `${fn.key} grew to ${fn.lines} lines (allowed ${allowList[fn.key]}); shorten it`
          : `${fn.key} is ${fn.lines} lines (max ${maxFunctionLines}); split it`,
    }));
}

/** Entries whose function is gone (its file too, maybe) or shorter than listed. */
export function staleAllowListEntries(
  measured: MeasuredFunction[],
  allowList: AllowList,
  listFile: string,
): Violation[] {
  const lengths = new Map(measured.map((fn) => [fn.key, fn.lines]));
  return Object.entries(allowList)
    .filter(([key, allowed]) => (lengths.get(key) ?? 0) < allowed)
    .map(([key, allowed]) => {
      const now = lengths.get(key);
      const fix =
        now === undefined
          ? 'is gone'
          : now > maxFunctionLines
            ? `is now ${now} lines; lower it to ${now}`
            : `is now ${now} lines; remove it`;
      return { rule: 'allow-list-stale', where: path.basename(listFile), detail: `${key} (allowed ${allowed}) ${fix}` };
    });
}
