// npm run fuzz -- [--requests N] [--seed S]: the generated bad-input suite (src/security/bad-input.test-support.ts)
// at any length, against a hub of its own on SQLite (LINTAS_TEST_ENGINE=postgres: on the local PostgreSQL).
// Prints the seed first, then the answers by status, every finding, and whether any table changed; exits 1 on any.
import { runBadInput, tableCounts } from '../src/security/bad-input.test-support.ts';
import { startSecurityWorld } from '../src/security/world.test-support.ts';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
    throw new Error(`--${name} takes a positive integer`);
  return value ?? fallback;
}

const seed = flag('seed', Date.now() % 1_000_000);
const requests = flag('requests', 10_000);
console.log(
  `fuzz: seed ${seed}, ${requests.toLocaleString('en')} requests, ${process.env.LINTAS_TEST_ENGINE ?? 'sqlite'}`,
);
const world = await startSecurityWorld({
  rateLimit: { perCallerPerMinute: 100_000_000, anonymousPerMinute: 100_000_000 },
});
try {
  const before = await tableCounts(world.hub);
  const startedMs = performance.now();
  const run = await runBadInput(world, {
    seed,
    requests,
    onProgress: (done) => {
      if (done % 10_000 === 0) console.log(`  ${done.toLocaleString('en')} sent`);
    },
  });
  const seconds = (performance.now() - startedMs) / 1000;
  const after = await tableCounts(world.hub);
  const changed = Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
  const serverErrors = Object.entries(run.byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  console.log(`answers by status: ${JSON.stringify(run.byStatus)}`);
  console.log(
    `${run.requests.toLocaleString('en')} requests in ${seconds.toFixed(0)} s; 5xx: ${serverErrors}; findings: ${run.failures.length}; tables changed: ${changed.length === 0 ? 'none' : changed.join(', ')}`,
  );
  for (const failure of run.failures) console.log(`  finding: ${failure}`);
  process.exitCode = serverErrors > 0 || run.failures.length > 0 || changed.length > 0 ? 1 : 0;
} finally {
  await world.hub.stop();
}
