/** What the architecture check reports, and where it looks. */
export type Rule =
  | 'door'
  | 'file-cycle'
  | 'folder-cycle'
  | 'port'
  | 'problem-code'
  | 'function-length'
  | 'allow-list-stale';

/** One broken house rule: `where` is a path (with `:line` when it helps), `detail` a sentence. */
export type Violation = { rule: Rule; where: string; detail: string };

export type CheckOptions = {
  /** The tree to check; every other path is relative to it unless absolute. */
  rootDir: string;
  /** Production source, cruised and parsed (default `src`). */
  sourceDir?: string;
  /** The dependency-cruiser rules (default `.dependency-cruiser.cjs`). */
  depcruiseConfig?: string;
  /** The long functions tolerated for now (default `scripts/architecture/function-length-allowlist.json`). */
  allowList?: string;
  /** The problem-code contract (default `docs/problems.md`). */
  problemsDoc?: string;
  /** The pages' browser code, measured for function length only (default `web`; skipped where absent). */
  pagesDir?: string;
};

export type ResolvedOptions = Required<CheckOptions>;
