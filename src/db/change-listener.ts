import pg from 'pg';
import { type ReadCache, changesChannel, forgetAnnounced } from './read-cache.ts';

/** How long to wait before listening again after the LISTEN connection broke. */
const reconnectDelayMs = 1_000;

/**
 * Keeps one PostgreSQL connection listening for other processes' changes (read-cache.ts). The cache works
 * only while it listens: before, and after the connection broke, it caches nothing, and when listening
 * starts again it forgets everything it had (changes may have come while nobody listened).
 */
export function listenForChanges(url: string, cache: ReadCache): { ready: Promise<void>; stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const broken = () => {
    cache.enabled = false;
    cache.forgetAll();
    const failed = client;
    client = undefined;
    failed?.end().catch(() => {});
    if (!stopped && retry === undefined)
      retry = setTimeout(() => {
        retry = undefined;
        void listen().catch(broken);
      }, reconnectDelayMs);
  };

  const listen = async () => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on('error', broken);
    next.on('end', () => client === next && broken());
    next.on('notification', (message) => {
      if (message.channel === changesChannel) forgetAnnounced(cache, message.payload);
    });
    await next.connect();
    await next.query(`listen ${changesChannel}`);
    if (stopped || client !== next) return;
    cache.forgetAll();
    cache.enabled = true;
  };

  return {
    ready: listen().catch(broken),
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      cache.enabled = false;
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    },
  };
}
