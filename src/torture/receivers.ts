/**
 * The parties' servers, real HTTP on 127.0.0.1: each merchant's webhook receiver and each wallet's callback
 * receiver record every event they are sent, by event id; a wallet answers the hub's payment-code
 * authorisations as the code's last digit says (see `paymentCodeOf`).
 */
import type { KeyObject } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signResponse } from '../http/index.ts';
import { systemClock } from '../platform/index.ts';
import { textField } from './model.ts';
import { answerOfPaymentCode } from './plan.ts';

/** Everything that arrived under one event id. */
export type Received = {
  /** Who got it: `merchant:<slug>` or `wallet:<slug>`. */
  receivers: Set<string>;
  /** The distinct bodies sent under this id: one, if a redelivery is a true copy. */
  bodies: Set<string>;
  count: number;
  type: string | undefined;
  /** The id of the object the event is about (`data.id`). */
  subjectId: string | undefined;
};

export type Receivers = {
  url: string;
  /** By event id. */
  received: Map<string, Received>;
  /** Each wallet's signing key by its slug, set once the world is seeded: a wallet signs its answers. */
  walletKeys: Map<string, { keyId: string; privateKey: KeyObject }>;
  close(): Promise<void>;
};

/** The path each party's receiver listens on, under `url`. */
export const merchantWebhookPath = (slug: string) => `/merchants/${slug}/webhooks`;
export const walletCallbackPath = (slug: string) => `/wallets/${slug}`;

function bodyOf(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
    incoming.on('close', () => {
      if (!incoming.complete) reject(new Error('the sender went away mid-request'));
    });
  });
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

type SigningKey = { keyId: string; privateKey: KeyObject };

/** An answer, signed (RFC 9421, as the hub requires of a wallet's answer) when a key is given. */
async function answer(outgoing: ServerResponse, status: number, body: unknown, key?: SigningKey): Promise<void> {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = key
    ? await signResponse({ status, headers, body: text }, { ...key, now: () => systemClock.now() })
    : {};
  if (outgoing.destroyed) return; // the hub gave up waiting, or died
  outgoing.statusCode = status;
  for (const [name, value] of Object.entries({ ...headers, ...signature })) outgoing.setHeader(name, value);
  outgoing.end(text);
}

function authorizationAnswer(request: unknown): unknown {
  const code = textField(request, 'paymentCode') ?? '';
  const asked = request as { authorizationId?: unknown; amount?: unknown; currency?: unknown };
  const echo = { authorizationId: asked.authorizationId, amount: asked.amount, currency: asked.currency };
  return answerOfPaymentCode(code) === 'decline'
    ? { ...echo, decision: 'declined', reason: 'declined by the torture wallet' }
    : { ...echo, decision: 'approved' };
}

type Recorder = (receiver: string, eventId: string | undefined, body: string) => void;

/** One request, read whole: a webhook or callback is recorded, an authorisation answered. */
function handle(
  path: string,
  headers: IncomingMessage['headers'],
  body: string,
  reply: Reply,
  record: Recorder,
  walletKeys: Receivers['walletKeys'],
): void {
  const merchant = /^\/merchants\/([\w-]+)\/webhooks$/.exec(path);
  const wallet = /^\/wallets\/([\w-]+)\/(events|authorizations)$/.exec(path);
  if (merchant) {
    record(`merchant:${merchant[1]}`, headers['webhook-id'] as string | undefined, body);
    reply.now(200, {});
  } else if (wallet?.[2] === 'events') {
    record(`wallet:${wallet[1]}`, undefined, body);
    reply.now(200, {});
  } else if (wallet) {
    const request = parsed(body);
    const silent = answerOfPaymentCode(textField(request, 'paymentCode') ?? '') === 'silent';
    (silent ? reply.late : reply.now)(200, authorizationAnswer(request), walletKeys.get(wallet[1] as string));
  } else reply.now(404, {});
}

type Reply = {
  now(status: number, body: unknown, key?: SigningKey): void;
  late(status: number, body: unknown, key?: SigningKey): void;
};

/** `silentMs`: how long a wallet keeps the hub waiting on a `silent` code (longer than the hub's deadline). */
export async function startReceivers(options: { silentMs: number }): Promise<Receivers> {
  const received = new Map<string, Received>();
  const walletKeys: Receivers['walletKeys'] = new Map();
  const record: Recorder = (receiver, eventId, body) => {
    const event = parsed(body);
    const id = eventId ?? textField(event, 'id') ?? `unnamed:${body}`;
    const entry = received.get(id) ?? {
      receivers: new Set<string>(),
      bodies: new Set<string>(),
      count: 0,
      type: textField(event, 'type'),
      subjectId: textField((event as { data?: unknown } | undefined)?.data, 'id'),
    };
    entry.receivers.add(receiver);
    entry.bodies.add(body);
    entry.count += 1;
    received.set(id, entry);
  };
  const server = createServer((incoming, outgoing) => {
    const reply: Reply = {
      now: (status, body, key) => void answer(outgoing, status, body, key),
      late: (status, body, key) =>
        void setTimeout(() => void answer(outgoing, status, body, key), options.silentMs).unref(),
    };
    // A hub killed while it sends leaves half a request: nothing arrived, nothing is recorded.
    void bodyOf(incoming).then(
      (body) => handle(incoming.url ?? '', incoming.headers, body, reply, record, walletKeys),
      () => outgoing.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    walletKeys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
