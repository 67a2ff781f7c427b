#!/usr/bin/env node
// Checks the format and lint (Biome) and the types, then runs the whole suite
// twice: once on SQLite files and once on the local PostgreSQL server.
// Without a reachable PostgreSQL it says so plainly and the PostgreSQL run
// counts as not done (exit code stays that of SQLite).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';

const pgUrl = process.env.LINTAS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const extraArgs = process.argv.slice(2);

const reportOf = (engine) => `.tmp/vitest-${engine}.json`;

function runSuite(engine) {
  console.log(`\n=== Lintas tests on ${engine} ===\n`);
  rmSync(reportOf(engine), { force: true });
  const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${reportOf(engine)}`];
  const result = spawnSync('npx', ['vitest', 'run', ...reporters, ...extraArgs], {
    stdio: 'inherit',
    env: { ...process.env, LINTAS_TEST_ENGINE: engine, LINTAS_TEST_PG_URL: pgUrl },
  });
  return result.status ?? 1;
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    console.log(`PostgreSQL at ${pgUrl} is not reachable: ${error.message}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

console.log('=== Format and lint (Biome, check mode: it changes nothing) ===');
const biome = spawnSync('npx', ['biome', 'check', '--error-on-warnings', '.'], { stdio: 'inherit' });
if (biome.status !== 0) {
  console.log('Biome check FAILED: run `npx biome check --write .` and commit what it changes');
  process.exit(biome.status ?? 1);
}

// The hub's code without the DOM's types, then the pages' (web/, with the DOM and Preact's JSX).
console.log('=== Type check ===');
for (const project of ['.', 'web']) {
  const typecheck = spawnSync('npx', ['tsc', '--noEmit', '-p', project], { stdio: 'inherit' });
  if (typecheck.status !== 0) {
    console.log(`Type check FAILED (${project === '.' ? 'the hub' : 'the pages'})`);
    process.exit(typecheck.status ?? 1);
  }
}

const sqliteStatus = runSuite('sqlite');
let postgresStatus = 0;
if (await postgresReachable()) {
  postgresStatus = runSuite('postgres');
} else {
  console.log('\nPostgreSQL was NOT tested: only SQLite ran. Start it and run npm test again.');
  if (process.env.LINTAS_REQUIRE_POSTGRES === '1') postgresStatus = 1;
}
// The last lines of a long run are what a CI log shows: each failure is named there again.
function printFailures(engine) {
  if (!existsSync(reportOf(engine))) return;
  const report = JSON.parse(readFileSync(reportOf(engine), 'utf8'));
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (failed.length === 0 && file.status !== 'failed') continue;
    const where = file.name.replace(`${process.cwd()}/`, '');
    if (failed.length === 0) console.log(`${engine} FAILED ${where}: ${(file.message ?? '').split('\n')[0]}`);
    for (const test of failed)
      console.log(`${engine} FAILED ${where} > ${test.fullName}: ${(test.failureMessages?.[0] ?? '').split('\n')[0]}`);
  }
}

printFailures('sqlite');
printFailures('postgres');
console.log(
  `\nSQLite: ${sqliteStatus === 0 ? 'green' : 'FAILED'}; PostgreSQL: ${postgresStatus === 0 ? 'green' : 'FAILED'}`,
);
process.exit(sqliteStatus || postgresStatus);
