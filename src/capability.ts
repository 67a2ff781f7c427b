import type { Command } from 'commander';
import type { Metric } from 'prom-client';
import type { Config, ConfigInput } from './config.ts';
import type { HubContext } from './context.ts';
import type { App, Caller, SignatureResolver } from './http/index.ts';
import type { BridgeProvider, PaymentSourceHandler } from './payments/index.ts';
import { type Worker, startPeriodicWorker } from './platform/index.ts';

/** Problem codes by name: `[HTTP status, title]`. */
export type ProblemCodes = Record<string, readonly [number, string]>;

/** What only the whole system knows, handed to a capability's routes by the root. */
export type RouteWiring = {
  /** Every capability's payment sources, in the order of `src/capabilities.ts`. */
  readonly paymentSources: readonly PaymentSourceHandler[];
  /** Every bridge to a wallet's own merchant API, by the participant's `bridge.kind`. */
  readonly bridgeProviders: readonly BridgeProvider[];
};

/** Routes a deployment adds beside the hub's own, such as the demo's wallet app. */
export type ExtraRoutes = (app: App, ctx: HubContext) => void;

/** A running hub, as a command sees it. */
export type ServedHub = { readonly ctx: HubContext; readonly url: string };

export type ServeOptions = {
  extraRoutes?: ExtraRoutes;
  /** Runs once the hub listens; the lines it returns are printed after the hub's own. */
  afterStart?: (hub: ServedHub) => Promise<string[]>;
};

/** What the root gives a capability's commands, so that no command imports the root. */
export type CommandTools = {
  /** The configuration from flags and environment, for a command that serves (a first start makes secrets). */
  configOf(flags: ConfigInput): Config;
  /** The configuration of a hub that exists; nothing is created and a missing database is refused. */
  existingConfigOf(flags: ConfigInput): Config;
  /** The context over an existing database, for commands that only read it. */
  openContext(config: Config, options?: { logLevel?: string }): HubContext;
  /** Adds the flags every serving command takes (port, host, database, data directory). */
  serveOptions(command: Command): Command;
  /** Serves until SIGTERM or SIGINT. */
  serve(config: Config, options?: ServeOptions): Promise<void>;
};

/**
 * One capability, as the root sees it: everything it adds to the running
 * system. `src/capabilities.ts` lists every manifest; `app.ts`, `server.ts`
 * and `cli.ts` only iterate that list.
 */
export type Capability = {
  readonly name: string;
  /** Runs once when a hub starts, after migrations and before it listens. */
  readonly prepare?: (ctx: HubContext) => Promise<void>;
  readonly routes?: (app: App, ctx: HubContext, wiring: RouteWiring) => void;
  readonly workers?: (ctx: HubContext) => Worker[];
  readonly commands?: (program: Command, tools: CommandTools) => void;
  readonly paymentSources?: readonly PaymentSourceHandler[];
  /** How the attempt path reaches a bridged wallet (see `BridgeProvider`). */
  readonly bridgeProviders?: readonly BridgeProvider[];
  /** The event types it emits (each is in notify's documented catalogue). */
  readonly events?: readonly string[];
  readonly problemCodes?: ProblemCodes;
  readonly metrics?: (ctx: HubContext) => Metric[];
  /** Who a bearer token is, when the token is one this capability issues. */
  readonly bearerCaller?: (ctx: HubContext, token: string) => Promise<Caller | undefined>;
  /** Who signed a request; one capability (participants) answers this. */
  readonly signatureResolver?: (ctx: HubContext) => SignatureResolver;
};

/** The usual worker: `tick(ctx)` every `intervalMs`, its answer (a count) ignored. */
export function periodicWorkerOf(
  ctx: HubContext,
  name: string,
  intervalMs: number,
  tick: (ctx: HubContext) => Promise<unknown>,
): Worker {
  return startPeriodicWorker(name, intervalMs, async () => void (await tick(ctx)), ctx.logger);
}
