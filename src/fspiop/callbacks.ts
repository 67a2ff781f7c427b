/**
 * Messages the hub sends to DFSPs: forwarded requests and callbacks, each
 * checked against the FSPIOP definition before it leaves. They are sent once,
 * after the transaction that decided them has committed, as Mojaloop's switch
 * sends them: a DFSP that missed one asks again (`GET /transfers/{id}`), and a
 * transfer whose payee never heard of it expires and is aborted.
 */
import type { HubContext } from '../context.ts';
import { checkOutboundUrl } from '../http/index.ts';
import { invariant } from '../platform/index.ts';
import { hubSignature } from './hub-key.ts';
import { type FspiopResource, callbackHeaders, hubFspId } from './model.ts';
import { describeViolations, violationsOf } from './openapi.ts';

/** A DFSP answers a callback with 200 or 202 at once; its work comes back as a callback of its own. */
export const callbackTimeoutMs = 10_000;
/** How much of a refusing answer is kept in the log, to say why a DFSP refused a message. */
const answerCharsLogged = 300;

export type OutboundMessage = {
  method: 'get' | 'post' | 'put' | 'delete';
  resource: FspiopResource;
  /** The resource path, e.g. `/transfers/{id}/error`. */
  path: string;
  /** The DFSP's FSPIOP callback base URL. */
  baseUrl: string;
  source: string;
  destination: string;
  body?: unknown;
  /** The FSPIOP version it is sent at: a DFSP's message passed on keeps its sender's; the hub's own is 1.1. */
  version?: string;
  forwarded?: Readonly<Record<string, string | undefined>>;
};

/** Whether the destination accepted the message (2xx); false when it refused it or could not be reached. */
export type Delivery = { delivered: boolean; detail: string };

function urlOf(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Sends one message and says whether it arrived. A message that breaks the definition is a programmer error. */
export async function sendMessage(ctx: HubContext, message: OutboundMessage): Promise<Delivery> {
  const headers = callbackHeaders({ ...message, at: ctx.clock.now() });
  const violations = violationsOf({ method: message.method, path: message.path, headers, body: message.body });
  invariant(
    violations.length === 0,
    `${message.method} ${message.path} conforms to FSPIOP 1.1: ${describeViolations(violations)}`,
  );
  const body = message.body === undefined ? undefined : JSON.stringify(message.body);
  // What the hub makes itself it signs, as a DFSP signs its own; a DFSP's message keeps the DFSP's signature.
  if (message.source === hubFspId && body !== undefined) {
    Object.assign(headers, await hubSignature(ctx, { method: message.method, path: message.path, headers, body }));
  }
  const url = urlOf(message.baseUrl, message.path);
  const allowed = await checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls });
  if (!allowed.ok) return { delivered: false, detail: allowed.detail };
  try {
    const response = await ctx.http.request({
      method: message.method.toUpperCase(),
      url,
      headers,
      body,
      timeoutMs: callbackTimeoutMs,
    });
    const delivered = response.status >= 200 && response.status < 300;
    return { delivered, detail: `answered ${response.status} ${response.body.slice(0, answerCharsLogged)}` };
  } catch (error) {
    return { delivered: false, detail: (error as Error).message };
  }
}

const inFlight = new WeakMap<HubContext, Set<Promise<void>>>();

/**
 * Sends in the background, so the DFSP's request is answered 202 at once as
 * FSPIOP asks; `then` runs with the delivery (an undelivered forward aborts
 * the transfer). A failure is logged, never thrown at the request.
 */
export function dispatch(
  ctx: HubContext,
  message: OutboundMessage,
  then?: (delivery: Delivery) => Promise<void>,
): void {
  const pending = inFlight.get(ctx) ?? new Set<Promise<void>>();
  inFlight.set(ctx, pending);
  const run: Promise<void> = sendMessage(ctx, message)
    .then(async (delivery) => {
      if (!delivery.delivered) {
        ctx.logger.warn({ path: message.path, to: message.destination, detail: delivery.detail }, 'fspiop undelivered');
      }
      await then?.(delivery);
    })
    .catch((error: unknown) => ctx.logger.error({ err: error, path: message.path }, 'fspiop message failed'))
    .finally(() => pending.delete(run));
  pending.add(run);
}

/** Waits until every message sent so far has been answered (a hub's stop, a test). */
export async function settleMessages(ctx: HubContext): Promise<void> {
  const pending = inFlight.get(ctx);
  while (pending && pending.size > 0) await Promise.all([...pending]);
}
