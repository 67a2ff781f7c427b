import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { failureLine } from './cli-errors.ts';
import { CommandRefusal, ConfigError } from './config.ts';
import { MasterKeyMismatchError } from './platform/index.ts';
import { type LintasProcess, createTestDatabase, freePort, spawnLintas } from './testing/index.ts';

/**
 * Every bad start a person can cause, run as they would run it: one line on
 * standard error that says what to do, exit code 1, and no stack trace.
 */
const startTimeoutMs = 20_000;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lintas-cli-errors-'));
  dirs.push(dir);
  return dir;
}

/** The environment of a user with no Lintas settings of their own. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_LOG_LEVEL: 'warn', ...extra };
  for (const name of ['LINTAS_DB', 'LINTAS_DATA_DIR', 'LINTAS_OPERATOR_TOKEN', 'LINTAS_MASTER_KEY', 'LINTAS_PORT'])
    if (!(name in extra)) delete env[name];
  return env;
}

async function expectOneLine(run: LintasProcess, expected: string): Promise<void> {
  expect(await run.finished).toBe(1);
  const errors = run.errors();
  expect(errors.endsWith('\n'), errors).toBe(true);
  expect(errors.trimEnd().split('\n'), errors).toHaveLength(1);
  expect(errors).toMatch(/^lintas: /);
  expect(errors).toContain(expected);
  expect(run.output()).not.toMatch(/\n\s+at /);
}

const pgServerUrl = process.env.LINTAS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgServerUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

describe('a command that needs an existing hub, run where there is none', () => {
  test('qr placard from another folder says where to run it and creates no ./data', async () => {
    const elsewhere = scratchDir();
    const run = spawnLintas(['qr', 'placard', '--merchant', 'm_1', '--out', 'p.pdf'], cleanEnv(), [], elsewhere);
    await expectOneLine(run, `no database at ${join(elsewhere, 'data', 'lintas.sqlite')}`);
    expect(run.errors()).toContain('--data-dir');
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    expect(existsSync(join(elsewhere, 'p.pdf'))).toBe(false);
  });

  test('migrate from another folder creates no database it was not told to', async () => {
    const elsewhere = scratchDir();
    const run = spawnLintas(['migrate'], cleanEnv(), [], elsewhere);
    await expectOneLine(run, 'no database at');
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  });

  test('serve on a SQLite database that sealed secrets, from a data directory without its master key, makes no new key', async (context) => {
    const database = await createTestDatabase();
    if (database.location.startsWith('postgres')) {
      await database.drop();
      const reason = 'only a SQLite file can be looked into before the start; on PostgreSQL the start says so';
      console.log(`skipped on PostgreSQL, by design: ${reason} (the master key case below)`);
      context.skip(reason);
    }
    try {
      const first = spawnLintas(
        ['serve', '--port', '0', '--db', database.location, '--data-dir', database.dataDir],
        cleanEnv(),
      );
      await first.waitFor(/listening on/, startTimeoutMs);
      expect(await first.stop()).toBe(0);
      const elsewhere = scratchDir();
      const run = spawnLintas(['serve', '--port', '0', '--db', database.location], cleanEnv(), [], elsewhere);
      await expectOneLine(
        run,
        `the database ${database.location} holds secrets sealed under a master key that ${join(elsewhere, 'data')} does not have`,
      );
      expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    } finally {
      await database.drop();
    }
  });

  test('migrate on a named new file, then serve with a fresh data directory, still starts', async () => {
    const dir = scratchDir();
    const file = join(dir, 'new.sqlite');
    const migrated = spawnLintas(['migrate', '--db', file], cleanEnv(), [], dir);
    expect(await migrated.finished, migrated.output()).toBe(0);
    const served = spawnLintas(['serve', '--port', '0', '--db', file, '--data-dir', join(dir, 'data')], cleanEnv());
    await served.waitFor(/listening on/, startTimeoutMs);
    expect(await served.stop()).toBe(0);
  });
});

describe('a bad start', () => {
  test('a port already in use', async () => {
    const holder = createServer();
    const port = await new Promise<number>((done) =>
      holder.listen(0, '127.0.0.1', () => done((holder.address() as { port: number }).port)),
    );
    const database = await createTestDatabase();
    try {
      const run = spawnLintas(
        ['serve', '--port', String(port), '--db', database.location, '--data-dir', database.dataDir],
        cleanEnv(),
      );
      await expectOneLine(run, `127.0.0.1:${port} is already in use`);
      expect(run.errors()).toContain('--port');
    } finally {
      holder.close();
      await database.drop();
    }
  });

  test('an unreachable PostgreSQL server, after which no data directory is left behind', async () => {
    const port = await freePort();
    const dataDir = join(scratchDir(), 'data');
    const run = spawnLintas(
      ['serve', '--port', '0', '--db', `postgres://postgres@127.0.0.1:${port}/lintas`, '--data-dir', dataDir],
      cleanEnv(),
    );
    await expectOneLine(run, `cannot reach the PostgreSQL server at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(existsSync(dataDir)).toBe(false);
  });

  test('a missing PostgreSQL database', async (context) => {
    if (!(await postgresReachable())) {
      const reason = `no PostgreSQL server at ${pgServerUrl} to ask for a database it lacks`;
      console.log(`skipped: ${reason}`);
      context.skip(reason);
    }
    const url = new URL(pgServerUrl);
    url.pathname = '/lintas_no_such_database';
    const dataDir = join(scratchDir(), 'data');
    const run = spawnLintas(['serve', '--port', '0', '--db', url.toString(), '--data-dir', dataDir], cleanEnv());
    await expectOneLine(run, 'PostgreSQL says database "lintas_no_such_database" does not exist: create it');
    expect(existsSync(dataDir)).toBe(false);
  });

  test('a master key that cannot open the sealed secrets already in the database', async () => {
    const database = await createTestDatabase();
    const env = cleanEnv({ LINTAS_DATA_DIR: database.dataDir });
    try {
      const first = spawnLintas(['serve', '--port', '0', '--db', database.location], {
        ...env,
        LINTAS_MASTER_KEY: Buffer.alloc(32, 1).toString('base64url'),
      });
      await first.waitFor(/listening on/, startTimeoutMs);
      expect(await first.stop()).toBe(0);
      const second = spawnLintas(['serve', '--port', '0', '--db', database.location], {
        ...env,
        LINTAS_MASTER_KEY: Buffer.alloc(32, 2).toString('base64url'),
      });
      await expectOneLine(second, 'the master key does not open the secrets in this database');
    } finally {
      await database.drop();
    }
  });

  test('an unknown flag, a missing argument and a bad flag value', async () => {
    await expectOneLine(spawnLintas(['serve', '--prot', '8080'], cleanEnv()), "unknown option '--prot'");
    await expectOneLine(
      spawnLintas(['qr', 'placard', '--out', 'x.pdf'], cleanEnv()),
      "'--merchant <id>' not specified",
    );
    await expectOneLine(spawnLintas(['serve', '--port', 'eighty'], cleanEnv()), 'port "eighty"');
    await expectOneLine(spawnLintas(['no-such-command'], cleanEnv()), "unknown command 'no-such-command'");
  });
});

/** The line for each kind of failure, from errors made by the real parts where they can be made here. */
async function listenError(host: string, port: number): Promise<Error> {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', done);
    server.listen(port, host, () => server.close(() => done(new Error('it listened'))));
  });
}

describe('failureLine', () => {
  test('a port in use names the address and the flag that changes it', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
    const { port } = holder.address() as { port: number };
    try {
      const line = failureLine(await listenError('127.0.0.1', port));
      expect(line).toBe(
        `lintas: 127.0.0.1:${port} is already in use: stop what listens there, or choose another port with --port ` +
          '(or LINTAS_PORT)',
      );
    } finally {
      holder.close();
    }
  });

  test('a SQLite file that is no database, and the hub’s own refusals, are their message', () => {
    let notADatabase: unknown;
    const sqlite = new BetterSqlite3(Buffer.from('not a database, only text long enough to be read as a header'));
    try {
      sqlite.pragma('journal_mode = WAL');
    } catch (error) {
      notADatabase = error;
    }
    sqlite.close();
    expect(failureLine(notADatabase)).toContain('is not a SQLite database');
    expect(failureLine(new MasterKeyMismatchError())).toContain('the master key does not open the secrets');
    expect(failureLine(new CommandRefusal('no database at /x'))).toBe('lintas: no database at /x');
    expect(failureLine(new ConfigError(['a is bad', 'b is bad']))).toBe(
      'lintas: invalid configuration: a is bad; b is bad',
    );
  });

  test('anything else is its message, one line, and says how to see the stack', () => {
    expect(failureLine(new TypeError('x is not a function'))).toBe(
      'lintas: x is not a function (an unexpected error; LINTAS_DEBUG=1 prints its stack)',
    );
    expect(failureLine('a thrown string')).toBe('lintas: stopped by a thrown string');
    expect(failureLine(new Error('first\n  second'))).toMatch(/^lintas: first second \(/);
  });
});
