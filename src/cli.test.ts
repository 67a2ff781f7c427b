import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase, spawnLintas } from './testing/index.ts';

const startTimeoutMs = 20_000;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('lintas serve', () => {
  test(
    'starts on a fresh data directory, is ready, keeps its secrets in 0600 files, and stops cleanly on ' + 'SIGTERM',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'lintas-cli-'));
      dirs.push(dataDir);
      const database = await createTestDatabase();
      const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
      delete env.LINTAS_OPERATOR_TOKEN;
      delete env.LINTAS_MASTER_KEY;
      const hub = spawnLintas(['serve', '--port', '0', '--db', database.location], env);
      try {
        const [, url] = await hub.waitFor(/listening on (http:\/\/[^\s]+)/, startTimeoutMs);
        expect((await fetch(`${url}/ready`)).status).toBe(200);
        const tokenFile = join(dataDir, 'operator-token');
        expect(hub.output()).toContain(tokenFile);
        const token = readFileSync(tokenFile, 'utf8').trim();
        expect(hub.output()).not.toContain(token);
        expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
        expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
        const list = await fetch(`${url}/v1/participants`, { headers: { authorization: `Bearer ${token}` } });
        expect(list.status).toBe(200);
      } finally {
        expect(await hub.stop()).toBe(0);
        await database.drop();
      }
    },
  );

  test('a hub started on a database with another master key says so in words and exits 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lintas-cli-'));
    dirs.push(dataDir);
    const database = await createTestDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
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
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('the master key does not open the secrets in this database');
      expect(second.output()).not.toContain('unable to authenticate data');
    } finally {
      await database.drop();
    }
  });

  test('a second hub on the same SQLite file refuses to start and points at PostgreSQL', async (context) => {
    const database = await createTestDatabase();
    if (database.location.startsWith('postgres')) {
      await database.drop();
      const reason = 'PostgreSQL serves several processes by design; the SQLite run covers the refusal';
      console.log(`skipped on PostgreSQL, by design: ${reason}`);
      context.skip(reason);
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'lintas-cli-'));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
    const first = spawnLintas(['serve', '--port', '0', '--db', database.location], env);
    try {
      await first.waitFor(/listening on/, startTimeoutMs);
      const second = spawnLintas(['serve', '--port', '0', '--db', database.location], env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('is already served by process');
      expect(second.output()).toContain('use PostgreSQL');
      expect(await first.stop()).toBe(0);
      const afterTheFirstStopped = spawnLintas(['serve', '--port', '0', '--db', database.location], env);
      await afterTheFirstStopped.waitFor(/listening on/, startTimeoutMs);
      expect(await afterTheFirstStopped.stop()).toBe(0);
    } finally {
      await first.stop();
      await database.drop();
    }
  });

  test('a bad configuration value stops the start with a clear message and exit code 1', async () => {
    const refused = spawnLintas(['serve', '--port', 'eighty'], process.env);
    expect(await refused.finished).toBe(1);
    expect(refused.output()).toContain('port "eighty"');
  });

  test('more than one worker on a SQLite file, or a count out of range, is refused with why and exit code 1', async () => {
    const database = await createTestDatabase();
    try {
      const onSqlite = spawnLintas(
        ['serve', '--port', '0', '--workers', '2', '--data-dir', database.dataDir],
        process.env,
      );
      expect(await onSqlite.finished).toBe(1);
      expect(onSqlite.output()).toContain('needs PostgreSQL');
      const tooMany = spawnLintas(['serve', '--port', '0', '--workers', '0', '--db', database.location], process.env);
      expect(await tooMany.finished).toBe(1);
      expect(tooMany.output()).toContain('--workers "0" must be an integer from 1 to 64');
    } finally {
      await database.drop();
    }
  });
});
