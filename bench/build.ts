/** The hub as production runs it: benches build dist/lintas.mjs first, so no hub they start compiles TypeScript. */
import { spawnSync } from 'node:child_process';

export function buildHub(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
}
