/** The bare route's own process, and a payment's four requests against it as the baseline. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Caller, Send } from './client.ts';
import { type Tally, steps } from './load.ts';

const serverFile = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

export type BareServer = { url: string; pid: number; stop(): Promise<void> };

export async function startBareServer(port: number): Promise<BareServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', serverFile, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((listening, failed) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) listening();
    });
    child.once('exit', (code) => failed(new Error(`the bare server exited with ${code}`)));
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const caller: Caller = { kind: 'bearer', token: 'bare' };

/** The same four POSTs with bodies of the payment's sizes; each answered 201 counts as one step. */
export async function bareRound(send: Send, tally: Tally): Promise<void> {
  for (const step of steps) {
    const answer = await send(caller, 'POST', `/v1/${step}`, { amount: 12_990, currency: 'CNY', step });
    tally.latenciesMs[step].push(answer.elapsedMs);
    if (answer.status !== 201) tally.refused[step] = (tally.refused[step] ?? 0) + 1;
  }
  tally.completed += 1;
}
