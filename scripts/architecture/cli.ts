/**
 * `npm run check:architecture [rootDir]`: prints every violation and exits 1
 * if there is one. `--write-allow-list` instead records the functions over
 * the limit as they are now, for the first run or after one got shorter.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkArchitecture, defaultOptions, formatViolations } from './check.ts';
import { maxFunctionLines, measureFunctions } from './function-length.ts';
import { parseFile, productionFiles } from './source.ts';

const args = process.argv.slice(2);
const rootDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? '.');

if (args.includes('--write-allow-list')) {
  const measured = productionFiles(rootDir, defaultOptions.sourceDir)
    .flatMap((file) => measureFunctions(parseFile(rootDir, file)))
    .filter((fn) => fn.lines > maxFunctionLines);
  const list = Object.fromEntries(measured.map((fn) => [fn.key, fn.lines]).sort());
  writeFileSync(path.join(rootDir, defaultOptions.allowList), `${JSON.stringify(list, null, 2)}\n`);
  console.log(`Wrote ${measured.length} entries to ${defaultOptions.allowList}`);
} else {
  const violations = await checkArchitecture({ rootDir });
  console.log(formatViolations(violations));
  process.exitCode = violations.length === 0 ? 0 : 1;
}
