import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestHub, createTestDatabase, spawnLintas, startTestHub } from './testing/index.ts';

/**
 * What the command line prints depends on whether a person is watching:
 * pretty logs and progress bars on a terminal, JSON lines and nothing extra
 * otherwise. A terminal is made with util-linux's `script`, which runs the
 * command on a pseudo-terminal of its own.
 */
const lintasBin = fileURLToPath(new URL('../bin/lintas.mjs', import.meta.url));
const scriptFound = spawnSync('script', ['--version']).status === 0;
const startTimeoutMs = 30_000;
const pollMs = 100;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
  await hub.ctx.db.durable();
});
afterAll(async () => hub?.stop());

function quoted(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** `lintas <args>` on a pseudo-terminal; what the terminal showed is read back. */
function inTerminal(args: readonly string[], env: NodeJS.ProcessEnv) {
  const command = ['exec', quoted(process.execPath), quoted(lintasBin), ...args.map(quoted)].join(' ');
  const child: ChildProcess = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let shown = '';
  child.stdout?.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const closed = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return {
    shown: () => shown,
    closed,
    waitFor: async (pattern: RegExp) => {
      for (let waited = 0; !pattern.test(shown); waited += pollMs) {
        if (waited > startTimeoutMs || child.exitCode !== null) throw new Error(`no ${pattern} in:\n${shown}`);
        await new Promise((done) => setTimeout(done, pollMs));
      }
    },
    stop: () => {
      child.kill('SIGTERM');
      return closed;
    },
  };
}

function needsScript(context: { skip: (note: string) => void }): void {
  if (scriptFound) return;
  const reason = 'util-linux `script` is not installed, so no terminal can be made for the command';
  console.log(`skipped: ${reason}`);
  context.skip(reason);
}

const jsonLogLine = /^\{"level":/m;

describe('logs', () => {
  test('are JSON lines when standard output is not a terminal', async () => {
    const database = await createTestDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: database.dataDir, LINTAS_LOG_LEVEL: 'info' };
    delete env.LINTAS_LOG_FORMAT;
    const served = spawnLintas(['serve', '--port', '0', '--db', database.location], env);
    try {
      await served.waitFor(/listening on http/, startTimeoutMs);
      await served.waitFor(jsonLogLine, startTimeoutMs);
    } finally {
      expect(await served.stop()).toBe(0);
      await database.drop();
    }
  });

  test('`lintas demo` on a terminal prints pretty log lines, never JSON', async (context) => {
    needsScript(context);
    const database = await createTestDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, LINTAS_DATA_DIR: database.dataDir, LINTAS_LOG_LEVEL: 'info' };
    delete env.LINTAS_LOG_FORMAT;
    const demo = inTerminal(['demo', '--port', '0', '--db', database.location], env);
    try {
      await demo.waitFor(/demo: +http/);
      await demo.waitFor(/INFO/);
      expect(demo.shown()).not.toMatch(/\{"level":/);
    } finally {
      await demo.stop();
      rmSync(database.dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});

describe('progress bars', () => {
  test('`ledger check` and `settle close` print nothing on standard error when it is not a terminal', () => {
    for (const args of [
      ['ledger', 'check'],
      ['settle', 'close'],
    ]) {
      const run = spawnSync(process.execPath, [lintasBin, ...args, '--db', hub.config.db], {
        encoding: 'utf8',
        env: { ...process.env, LINTAS_DATA_DIR: hub.config.dataDir },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.length).toBeGreaterThan(0);
    }
  });

  test('`ledger check` on a terminal shows its passes as a bar, then the verdict', async (context) => {
    needsScript(context);
    const check = inTerminal(['ledger', 'check', '--db', hub.config.db], process.env);
    expect(await check.closed).toBe(0);
    expect(check.shown()).toMatch(/ledger check \[[^\]]*\] \d\/8 transfers balance/);
    expect(check.shown()).toContain('ledger check passed');
  });
});
