import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { gracefulCloser } from './graceful-close.ts';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function listening(
  handler: Parameters<typeof createServer>[1],
): Promise<{ port: number; close: ReturnType<typeof gracefulCloser> }> {
  server = createServer(handler);
  const close = gracefulCloser(server);
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return { port: (server.address() as AddressInfo).port, close };
}

const closeOf = (target: Server) => () => new Promise<void>((done) => target.close(() => done()));

async function openSilentSocket(port: number): Promise<void> {
  await new Promise<void>((done) => connect(port, '127.0.0.1', done).on('error', () => {}));
}

test('a socket that never sent a request does not hold the stop', async () => {
  const { port, close } = await listening((_request, response) => response.end('ok'));
  await openSilentSocket(port);
  const startedMs = Date.now();
  await close(closeOf(server as Server), 30_000);
  expect(Date.now() - startedMs).toBeLessThan(5_000);
});

test('a request in flight finishes before the stop ends', async () => {
  const { port, close } = await listening((_request, response) => {
    setTimeout(() => response.end('finished'), 300);
  });
  const answer = fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
  await new Promise((done) => setTimeout(done, 50));
  await close(closeOf(server as Server), 30_000);
  expect(await answer).toBe('finished');
});

test('a request still running after the grace is cut, and the stop ends', async () => {
  const { port, close } = await listening(() => {});
  const answer = fetch(`http://127.0.0.1:${port}/`).then(
    () => 'answered',
    () => 'cut',
  );
  await new Promise((done) => setTimeout(done, 50));
  await close(closeOf(server as Server), 200);
  expect(await answer).toBe('cut');
});
