import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long requests in flight may run on after a stop before their connections are cut. */
export const stopGraceMs = 10_000;
const idleSweepMs = 50;

/**
 * Closes a server the way a stop should: no new connections, requests in flight
 * finish (up to `graceMs`), and nothing else holds the stop. Node's close waits
 * for every connection, and a socket that was opened but never sent a request
 * (a browser's preconnect) is not "idle" to it: it held a stop for its whole
 * 60 s headers timeout. Such sockets carry nothing, so they are cut at once;
 * a keep-alive connection is closed as soon as its last answer has left.
 */
export function gracefulCloser(server: Server): (close: () => Promise<void>, graceMs?: number) => Promise<void> {
  const silent = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  server.on('request', (request: { socket: Socket }) => silent.delete(request.socket));
  return async (close, graceMs = stopGraceMs) => {
    const closed = close();
    for (const socket of silent) socket.destroy();
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
    try {
      await closed;
    } finally {
      clearTimeout(grace);
      clearInterval(sweep);
    }
  };
}
