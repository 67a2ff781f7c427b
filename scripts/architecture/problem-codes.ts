/**
 * Rule (d): every problem code the code raises is registered (in
 * src/http/problems.ts's catalogue, a manifest's `ProblemCodes` table or a
 * `registerProblemCodes` call), and
 * every code raised or registered is in the contract, docs/problems.md,
 * with the same status.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Node, type ParsedFile, nameOf, spanOf, stringValue, walk } from './source.ts';
import type { Violation } from './types.ts';

export type CodeSite = { code: string; where: string };
export type RegisteredCode = CodeSite & { status: number; title: string };

/**
 * Files whose `refuse('…')` codes are not problem codes, and why. Only their
 * `refuse` calls are skipped; a `new Problem` there still counts.
 */
const refusalsThatAreNotProblems: Record<string, string> = {
  'src/ledger/check.ts': 'ledger invariant verdicts, printed by `lintas ledger check`, never answered over HTTP',
};

/** The catalogue's entries: `code: [status, title]` in an object literal. */
function entriesOf(object: Node, parsed: ParsedFile): RegisteredCode[] {
  return ((object.properties as Node[] | undefined) ?? []).flatMap((property) => {
    const code = nameOf(property.key);
    const [status, title] = ((property.value as Node | undefined)?.elements as Node[] | undefined) ?? [];
    if (code === undefined || status?.expression === undefined) return [];
    const where = `${parsed.file}:${parsed.line(spanOf(property.key as Node).start)}`;
    return [
      { code, where, status: Number((status.expression as Node).value), title: stringValue(title?.expression) ?? '' },
    ];
  });
}

/** Through `x as const satisfies T` and parentheses to the expression itself. */
function unwrap(node: Node | undefined): Node | undefined {
  let at = node;
  while (
    at &&
    ['TsAsExpression', 'TsSatisfiesExpression', 'TsConstAssertion', 'ParenthesisExpression'].includes(at.type ?? '')
  )
    at = at.expression as Node;
  return at;
}

export function registeredCodes(parsed: ParsedFile): RegisteredCode[] {
  const found: RegisteredCode[] = [];
  walk(parsed.module as unknown as Node, (node) => {
    if (node.type === 'VariableDeclarator' && (nameOf(node.id) === 'problemCatalogue' || isProblemCodesTable(node)))
      found.push(...entriesOf(unwrap(node.init as Node) ?? {}, parsed));
    if (node.type === 'CallExpression' && nameOf(node.callee) === 'registerProblemCodes')
      found.push(...entriesOf(unwrap(firstArgument(node)) ?? {}, parsed));
  });
  return found;
}

/** A capability's own codes, as its manifest lists them: `const x: ProblemCodes = { … }`. */
function isProblemCodesTable(declarator: Node): boolean {
  const annotation = ((declarator.id as Node | undefined)?.typeAnnotation as Node | undefined)?.typeAnnotation as
    | Node
    | undefined;
  return annotation?.type === 'TsTypeReference' && nameOf(annotation.typeName) === 'ProblemCodes';
}

function firstArgument(call: Node): Node | undefined {
  return ((call.arguments as Node[] | undefined) ?? [])[0]?.expression as Node | undefined;
}

/**
 * A code is used where the code raises it: `new Problem('code', …)`,
 * `statusOfCode('code')`, a call to a refusal helper (below) or a Refusal
 * written out by hand, `{ ok: false, code: 'code', detail }`. Helpers such
 * as `notFound` and `invalidRequest` are covered by the `new Problem` inside.
 */
export function usedCodes(parsed: ParsedFile): CodeSite[] {
  const helpers = refusalHelpers(parsed);
  if (parsed.file in refusalsThatAreNotProblems) helpers.delete('refuse');
  const found: CodeSite[] = [];
  walk(parsed.module as unknown as Node, (node) => {
    const code = codeRaisedBy(node, helpers);
    if (code !== undefined) found.push({ code, where: `${parsed.file}:${parsed.line(spanOf(node).start)}` });
  });
  return found;
}

/**
 * The functions whose first argument is a problem code: the platform's
 * `refuse` when imported, and any function declared here whose first
 * parameter is `code` and that returns a `Refusal` or `Problem` (such as
 * src/http/signatures.ts's own `refuse`). A local `refuse(detail)` or one
 * that builds some other failure (src/qr/encode.ts) is not one.
 */
function refusalHelpers(parsed: ParsedFile): Set<string> {
  const helpers = new Set<string>();
  walk(parsed.module as unknown as Node, (node) => {
    if (node.type === 'ImportSpecifier' && nameOf(node.local) === 'refuse') helpers.add('refuse');
    if (node.type !== 'FunctionDeclaration') return;
    const first = ((node.params as Node[] | undefined) ?? [])[0]?.pat;
    if (nameOf(first) === 'code' && namesRefusalType(node.returnType as Node | null))
      helpers.add(nameOf(node.identifier) ?? '');
  });
  return helpers;
}

function namesRefusalType(returnType: Node | null): boolean {
  let found = false;
  if (returnType)
    walk(returnType, (node) => {
      if (node.type === 'TsTypeReference' && ['Refusal', 'Problem'].includes(nameOf(node.typeName) ?? '')) found = true;
    });
  return found;
}

function codeRaisedBy(node: Node, helpers: Set<string>): string | undefined {
  const callee = nameOf(node.callee);
  if (node.type === 'NewExpression' && callee === 'Problem') return stringValue(firstArgument(node));
  if (node.type === 'CallExpression' && callee === 'statusOfCode') return stringValue(firstArgument(node));
  if (node.type === 'CallExpression' && callee !== undefined && helpers.has(callee))
    return stringValue(firstArgument(node));
  if (node.type === 'ObjectExpression') return handWrittenRefusal(node);
  return undefined;
}

function handWrittenRefusal(object: Node): string | undefined {
  const values = new Map<string, Node>();
  for (const property of (object.properties as Node[]) ?? [])
    if (property.type === 'KeyValueProperty') values.set(nameOf(property.key) ?? '', property.value as Node);
  const isRefusal = values.get('ok')?.type === 'BooleanLiteral' && values.get('ok')?.value === false;
  return isRefusal && values.has('detail') ? stringValue(values.get('code')) : undefined;
}

/** `| \`code\` | 422 | … |` rows of docs/problems.md, code → status. */
export function documentedCodes(file: string): Map<string, number> {
  const documented = new Map<string, number>();
  if (!existsSync(file)) return documented;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const row = /^\|\s*`?([a-z][a-z0-9_]*)`?\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (row?.[1]) documented.set(row[1], Number(row[2]));
  }
  return documented;
}

export function problemCodeViolations(
  registered: RegisteredCode[],
  used: CodeSite[],
  doc: Map<string, number>,
  docName: string,
): Violation[] {
  const byCode = new Map(registered.map((entry) => [entry.code, entry]));
  const violations: Violation[] = [];
  const add = (where: string, detail: string): void => void violations.push({ rule: 'problem-code', where, detail });
  // A registered code missing from the doc is reported once, where it is registered.
  for (const site of used.filter((use) => !byCode.has(use.code))) {
    const alsoDoc = doc.has(site.code) ? '' : ` nor in ${docName}`;
    add(
      site.where,
      `${site.code} is used but never registered (src/http/problems.ts or registerProblemCodes)${alsoDoc}`,
    );
  }
  for (const entry of byCode.values()) {
    if (!doc.has(entry.code)) add(entry.where, `${entry.code} is registered but missing from ${docName}`);
    else if (doc.get(entry.code) !== entry.status)
      add(docName, `${entry.code} is ${entry.status} in the code but ${doc.get(entry.code)} in ${docName}`);
  }
  for (const code of doc.keys())
    if (!byCode.has(code) && !used.some((site) => site.code === code))
      add(docName, `${code} is documented but nothing registers it`);
  return violations;
}
