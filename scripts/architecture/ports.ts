/**
 * Rule (c): the clock and randomness are ports. Only `src/platform/` may
 * touch `Date.now`, `Math.random` or `randomBytes`, so a test can pin time
 * and ids by swapping one module, and nothing drifts past it.
 */
import { type Node, type ParsedFile, nameOf, spanOf, walk } from './source.ts';
import type { Violation } from './types.ts';

const forbiddenMembers: ReadonlyArray<readonly [string | undefined, string]> = [
  ['Date', 'now'],
  ['Math', 'random'],
  // `crypto.randomBytes`, `nodeCrypto.randomBytes`, …: whatever the module is called.
  [undefined, 'randomBytes'],
];

export function portViolations(parsed: ParsedFile, sourceDir: string): Violation[] {
  if (parsed.file.startsWith(`${sourceDir}/platform/`)) return [];
  const found: Violation[] = [];
  const report = (node: Node, what: string): void => {
    found.push({
      rule: 'port',
      where: `${parsed.file}:${parsed.line(spanOf(node).start)}`,
      detail: `uses ${what}; take it from src/platform/ instead`,
    });
  };
  walk(parsed.module as unknown as Node, (node) => {
    const what = forbiddenUse(node);
    if (what) report(node, what);
  });
  return found;
}

/** `Date.now` (called or passed), `Math.random`, `x.randomBytes`, or importing `randomBytes` by name. */
function forbiddenUse(node: Node): string | undefined {
  if (node.type === 'MemberExpression') {
    const object = nameOf(node.object);
    const property = nameOf(node.property);
    for (const [wantedObject, wantedProperty] of forbiddenMembers)
      if (property === wantedProperty && (wantedObject === undefined || object === wantedObject))
        return `${object ?? '…'}.${property}`;
  }
  if (node.type === 'ImportSpecifier') {
    const imported = nameOf(node.imported) ?? nameOf(node.local);
    if (imported === 'randomBytes') return 'randomBytes (imported)';
  }
  return undefined;
}
