/**
 * The hub under torture: `lintas serve` in a child process, as an operator runs it, always on the same port,
 * database and data directory (so the same master key and operator token), killed and started again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bin/lintas.mjs of the package this runs from, whether from the sources (src/torture) or the build (dist). */
const lintasBin = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../bin/lintas.mjs' : '../../bin/lintas.mjs', import.meta.url),
);

/** A start that takes longer than this (migrations on a loaded machine included) is a failed start. */
const startTimeoutMs = 60_000;
/** How long a stopping hub may finish what is in flight before it is killed. */
const stopGraceMs = 20_000;
/** What is kept of the hub's output, for the message when it will not start. */
const outputTailChars = 8_000;

export type HubProcess = {
  readonly url: string;
  /** How many times a hub process was started. */
  lives(): number;
  /** The running hub's process id, for reading its CPU time and memory from /proc. */
  pid(): number | undefined;
  /** Starts a hub and resolves once it listens; fails with its output if it exits or hangs first. */
  start(): Promise<void>;
  /** SIGKILL, and resolves once the process is gone (reaped), so its SQLite lock is free to take over. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace), then the exit code. */
  stop(): Promise<number | null>;
};

export type HubOptions = {
  port: number;
  db: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Node's own flags for the hub process (a CPU profile, say). */
  nodeFlags?: readonly string[];
};

type Life = { child: ChildProcess; exited: Promise<number | null> };

/** Resolves once the life prints that it listens; fails, with `failure`'s words, if it exits or hangs first. */
function untilListening(current: Life, failure: (why: string) => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    let printed = '';
    const timer = setTimeout(() => fail(`did not listen within ${startTimeoutMs} ms`), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      if (!/listening on /.test(printed)) return;
      clearTimeout(timer);
      current.child.stdout?.off('data', onData);
      resolve();
    };
    function fail(why: string) {
      clearTimeout(timer);
      reject(failure(why));
    }
    current.child.stdout?.on('data', onData);
    void current.exited.then((code) => fail(`exited with ${code} before it listened`));
  });
}

export function hubProcess(options: HubOptions): HubProcess {
  let life: Life | undefined;
  let lives = 0;
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-outputTailChars);
  };

  function spawnLife(): Life {
    const args = ['serve', '--port', String(options.port), '--host', '127.0.0.1', '--db', options.db];
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), lintasBin, ...args, '--data-dir', options.dataDir],
      {
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, exited };
  }

  async function end(signal: NodeJS.Signals): Promise<number | null> {
    const current = life;
    if (!current) return null;
    life = undefined;
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    if (signal === 'SIGKILL') return current.exited;
    const grace = setTimeout(() => current.child.kill('SIGKILL'), stopGraceMs);
    try {
      return await current.exited;
    } finally {
      clearTimeout(grace);
    }
  }

  return {
    url: `http://127.0.0.1:${options.port}`,
    lives: () => lives,
    pid: () => life?.child.pid,
    start: async () => {
      if (life) throw new Error('a hub is already running');
      lives += 1;
      life = spawnLife();
      try {
        await untilListening(life, (why) => new Error(`hub life ${lives} ${why}; its output:\n${tail}`));
      } catch (error) {
        await end('SIGKILL');
        throw error;
      }
    },
    kill: async () => void (await end('SIGKILL')),
    stop: () => end('SIGTERM'),
  };
}

/** `lintas ledger check --db <location>`, as an operator runs it: whether it passed, and what it printed. */
export function ledgerCheck(db: string, env: NodeJS.ProcessEnv): Promise<{ passed: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [lintasBin, 'ledger', 'check', '--db', db], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ passed: code === 0, output: output.trim() }));
  });
}
