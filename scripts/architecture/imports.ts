/**
 * Rules (a) and (b): doors and cycles, from dependency-cruiser's module
 * graph. Doors come from the rules in `.dependency-cruiser.cjs`, so
 * `npx depcruise` and this check agree; cycles are computed here as
 * strongly connected components so each tangle is reported once, not once
 * per file in it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ICruiseResult, IModule } from 'dependency-cruiser';
import type { Node, ParsedFile } from './source.ts';
import type { ResolvedOptions, Violation } from './types.ts';

type Edge = { from: string; to: string; typeOnly: boolean };

/**
 * dependency-cruiser loads swc's visitor with `(await import(cjs)).default`
 * and takes `.Visitor` from it. Under tsx (the CLI) `default` is the class
 * itself, not the exports object, so its swc parser silently finds nothing
 * to visit. Giving the class a `Visitor` property that points to itself
 * makes both shapes work; it must run before dependency-cruiser is loaded,
 * hence the dynamic import below.
 */
async function loadCruise(): Promise<typeof import('dependency-cruiser').cruise> {
  const swcVisitor = (await import('@swc/core/Visitor.js')) as unknown as { default: unknown; Visitor: unknown };
  const loaded = swcVisitor.default as { Visitor?: unknown };
  if (typeof swcVisitor.default === 'function' && loaded.Visitor === undefined) loaded.Visitor = swcVisitor.Visitor;
  return (await import('dependency-cruiser')).cruise;
}

export async function cruiseTree(options: ResolvedOptions): Promise<ICruiseResult> {
  const cruise = await loadCruise();
  const configPath = path.resolve(options.rootDir, options.depcruiseConfig);
  const config = createRequire(import.meta.url)(configPath);
  const result = await cruise([options.sourceDir], {
    ...config.options,
    baseDir: options.rootDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  return result.output as ICruiseResult;
}

/** Every rule in the config other than `no-cycle` is a door rule; cycles are ours (below). */
export function doorViolations(result: ICruiseResult): Violation[] {
  return (result.summary.violations ?? [])
    .filter((violation) => violation.rule.name !== 'no-cycle')
    .map((violation) => ({
      rule: 'door',
      where: violation.from,
      detail: `imports ${violation.to} past its folder's index.ts (${violation.rule.name})`,
    }));
}

/** Answers whether `file`'s imports of `specifier` are all `import type` / `export type`. */
export type TypeOnlyTest = (file: string, specifier: string) => boolean;

function localEdges(modules: IModule[], isTypeOnly: TypeOnlyTest): Edge[] {
  return modules.flatMap((module) =>
    module.dependencies
      .filter((dependency) => !dependency.coreModule && !dependency.couldNotResolve && dependency.followable)
      .map((dependency) => ({
        from: module.source,
        to: dependency.resolved,
        // dependency-cruiser's swc parser does not mark type-only imports, so we look ourselves.
        typeOnly: isTypeOnly(module.source, dependency.module),
      })),
  );
}

/**
 * The specifiers a file only ever imports or re-exports with `import type` /
 * `export type`. Those are erased from the JavaScript; a mixed
 * `import { type A }` is not (verbatimModuleSyntax keeps it as a bare import).
 */
export function typeOnlySpecifiers(parsed: ParsedFile): Set<string> {
  const runtime = new Set<string>();
  const typeOnly = new Set<string>();
  for (const item of parsed.module.body as unknown as Node[]) {
    const source = (item.source as Node | null | undefined)?.value;
    if (typeof source !== 'string') continue;
    (item.typeOnly === true ? typeOnly : runtime).add(source);
  }
  return new Set([...typeOnly].filter((source) => !runtime.has(source)));
}

/**
 * File cycles ignore type-only imports: those are erased, so they cannot
 * make a module run before the one it needs is initialised, which is the
 * harm a file cycle does. Folder cycles count them: a folder that names
 * another's types depends on it just as much, and layering is about that.
 * Root files (the context, the capability type, the configuration, the
 * map) sit above every folder and are not folders: a cycle through one of
 * them is a file cycle or none, so the folder graph leaves them out.
 */
export function cycleViolations(result: ICruiseResult, sourceDir: string, isTypeOnly: TypeOnlyTest): Violation[] {
  const edges = localEdges(result.modules, isTypeOnly);
  const runtime = edges.filter((edge) => !edge.typeOnly);
  const fileCycles = stronglyConnected(runtime.map((edge) => [edge.from, edge.to]));
  const folderEdges = edges
    .filter((edge) => !isRootFile(edge.from, sourceDir) && !isRootFile(edge.to, sourceDir))
    .map((edge) => [topFolder(edge.from, sourceDir), topFolder(edge.to, sourceDir)] as const)
    .filter(([from, to]) => from !== to);
  const folderCycles = stronglyConnected(folderEdges);
  return [
    ...fileCycles.map((cycle) => cycleViolation('file-cycle', cycle)),
    ...folderCycles.map((cycle) => cycleViolation('folder-cycle', cycle)),
  ];
}

function cycleViolation(rule: 'file-cycle' | 'folder-cycle', { members, cycle }: Tangle): Violation {
  const tangled = members.length > cycle.length ? `; ${members.length} tangled in all: ${members.join(', ')}` : '';
  return { rule, where: cycle[0] ?? '', detail: `cycle: ${[...cycle, cycle[0]].join(' → ')}${tangled}` };
}

/** A strongly connected component: all its members, and one shortest cycle through the first. */
export type Tangle = { members: string[]; cycle: string[] };

function isRootFile(file: string, sourceDir: string): boolean {
  return !path.posix.relative(sourceDir, file).includes('/');
}

/** `src/payments/routes.ts` → `src/payments`; a root file `src/app.ts` is its own folder. */
export function topFolder(file: string, sourceDir: string): string {
  const rest = path.posix.relative(sourceDir, file).split('/');
  return rest.length > 1 ? `${sourceDir}/${rest[0]}` : file;
}

/**
 * Tarjan's strongly connected components of size > 1 (or a self-edge): one
 * report per tangle, naming every member and one concrete cycle starting at
 * its smallest member, so the report is stable.
 */
export function stronglyConnected(edges: ReadonlyArray<readonly [string, string]>): Tangle[] {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (node: string): void => {
    const at = index.size;
    index.set(node, at);
    low.set(node, at);
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) visit(to);
      // Still on the stack: `to` is in this node's component (a finished component was popped).
      if (stack.includes(to)) low.set(node, Math.min(low.get(node) ?? at, low.get(to) ?? at));
    }
    if (low.get(node) !== at) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = top === node ? undefined : stack.pop()) component.push(top);
    const selfLoop = next.get(node)?.includes(node) ?? false;
    if (component.length > 1 || selfLoop) components.push(component);
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components
    .map((component) => ({ members: component.sort(), cycle: cycleThrough(new Set(component), next) }))
    .sort((a, b) => String(a.members[0]).localeCompare(String(b.members[0])));
}

/** A shortest cycle from the component's smallest node back to itself, by breadth-first search. */
function cycleThrough(component: Set<string>, next: Map<string, string[]>): string[] {
  const start = [...component].sort()[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const to of next.get(at) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) return unwind(at, start, cameFrom);
      if (!cameFrom.has(to)) {
        cameFrom.set(to, at);
        queue.push(to);
      }
    }
  }
  return [start];
}

function unwind(last: string, start: string, cameFrom: Map<string, string>): string[] {
  const path = [last];
  for (let at = last; at !== start; ) {
    at = cameFrom.get(at) ?? start;
    path.unshift(at);
  }
  return path;
}
