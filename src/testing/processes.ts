import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export { freePort } from '../platform/index.ts';

export type LintasProcess = {
  child: ChildProcess;
  /** What it printed, standard output and error interleaved. */
  output(): string;
  /** What it printed on standard error alone. */
  errors(): string;
  /** Resolves with the first match of `pattern` in what the process printed; fails at the deadline or if it exits. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** The exit code, once the process ends by itself. */
  exited: Promise<number | null>;
  /** The exit code once the process has ended and all it printed has been read. */
  finished: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

const pollMs = 100;

const lintasBin = fileURLToPath(new URL('../../bin/lintas.mjs', import.meta.url));

/** `bin/lintas.mjs` in a process of its own, as a user starts it (from `cwd` when given, else from here). */
export function spawnLintas(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
  cwd?: string,
): LintasProcess {
  const child = spawn(process.execPath, [...nodeArgs, cwd === undefined ? 'bin/lintas.mjs' : lintasBin, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let printed = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    errors += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const finished = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return {
    child,
    exited,
    finished,
    output: () => printed,
    errors: () => errors,
    waitFor: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = printed.match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no ${pattern} in what lintas printed:\n${printed}`);
        await new Promise((done) => setTimeout(done, pollMs));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const chromiumPath = process.env.LINTAS_CHROMIUM ?? '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps dialling out of this closed network. */
const browserCloseMsMax = 10_000;
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium through playwright-core; .ci/run installs it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`Chromium is needed at ${chromiumPath} (apt-get install chromium); .ci/run installs it`);
  const server = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
  const browser = await chromium.connect(server.wsEndpoint());
  // On a loaded machine a graceful close has been seen to outlast a test hook's minute; past a bound the
  // browser's process is killed, so a test never hangs on putting its browser away.
  const close = browser.close.bind(browser);
  browser.close = async (options) => {
    const bound = new Promise<void>((done) => setTimeout(done, browserCloseMsMax).unref());
    try {
      await Promise.race([close(options), bound]);
    } finally {
      await server.kill();
    }
  };
  return browser;
}

/** `lintas ledger check --db <location>` run as a user runs it: its exit status and all it printed. */
export function ledgerCheckOf(location: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ['bin/lintas.mjs', 'ledger', 'check', '--db', location], {
    encoding: 'utf8',
  });
  return { status: run.status, output: run.stdout + run.stderr };
}
