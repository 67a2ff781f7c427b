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

/** Resolves once the server has the request: only then is it in flight (a socket that sent nothing is cut). */
function arrival(): { arrived: Promise<void>; arrive: () => void } {
  let arrive = () => {};
  const arrived = new Promise<void>((done) => {
    arrive = done;
  });
  return { arrived, arrive };
}

test('a request in flight finishes before the stop ends', async () => {
  const { arrived, arrive } = arrival();
  const { port, close } = await listening((_request, response) => {
    arrive();
    setTimeout(() => response.end('finished'), 300);
  });
  const answer = fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
  await arrived;
  await close(closeOf(server as Server), 30_000);
  expect(await answer).toBe('finished');
});

test('a request still running after the grace is cut, and the stop ends', async () => {
  const { arrived, arrive } = arrival();
  const { port, close } = await listening(() => arrive());
  const answer = fetch(`http://127.0.0.1:${port}/`).then(
    () => 'answered',
    () => 'cut',
  );
  await arrived;
  await close(closeOf(server as Server), 200);
  expect(await answer).toBe('cut');
});
