// Runs a benchmark by name without the main CLI: `npx tsx bench/run.ts qr`.
import { benches } from './index.ts';

const [name = 'qr', ...args] = process.argv.slice(2);
const bench = benches[name];
if (bench === undefined) {
  console.error(`unknown bench ${name}; known: ${Object.keys(benches).join(', ')}`);
  process.exitCode = 1;
} else {
  await bench(args);
}
