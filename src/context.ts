import type { Logger } from 'pino';
import { type AuditWriter, createAuditWriter } from './audit/index.ts';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { HttpPort } from './http/index.ts';
import type { Clock, Random } from './platform/index.ts';

/**
 * What every use case may reach: the database, the ports for the world
 * (clock, randomness, outbound HTTP) and the audit writer. Built once per
 * process by server.ts; tests build it with a manual clock.
 */
export type HubContext = {
  readonly db: Database;
  readonly clock: Clock;
  readonly random: Random;
  readonly config: Config;
  readonly audit: AuditWriter;
  readonly logger: Logger;
  readonly http: HttpPort;
};

/** The context from its parts; the audit writer draws on the same clock and randomness. */
export function createHubContext(parts: Omit<HubContext, 'audit'>): HubContext {
  return { ...parts, audit: createAuditWriter(parts.clock, parts.random) };
}
