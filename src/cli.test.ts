import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from './testing/index.ts';

const startTimeoutMs = 20_000;
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function waitForLine(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${output()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('lintas serve', () => {
  test('starts on a fresh data directory, is ready, keeps its secrets in 0600 files, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lintas-cli-'));
    dirs.push(dataDir);
    const database = await createTestDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: dataDir, LINTAS_LOG_LEVEL: 'warn' };
    delete env.LINTAS_OPERATOR_TOKEN;
    delete env.LINTAS_MASTER_KEY;
    const child = spawn(process.execPath, ['bin/lintas.mjs', 'serve', '--port', '0', '--db', database.location], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const [, url] = await waitForLine(() => output, /listening on (http:\/\/[^\s]+)/, startTimeoutMs);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      const tokenFile = join(dataDir, 'operator-token');
      expect(output).toContain(tokenFile);
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(output).not.toContain(token);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      const list = await fetch(`${url}/v1/participants`, { headers: { authorization: `Bearer ${token}` } });
      expect(list.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await database.drop();
    }
  });

  test('a bad configuration value stops the start with a clear message and exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/lintas.mjs', 'serve', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
    expect(code).toBe(2);
    expect(output).toContain('port "eighty"');
  });
});
