/**
 * The `webhooks` section (OpenAPI 3.1): every event the hub sends, to whom,
 * and its body; and the participant's two callback URLs. An event reaches a
 * merchant's webhook endpoints (Standard Webhooks signatures) and/or a
 * participant's `POST {callbackUrl}/events` (RFC 9421, signed with the
 * hub's key); every event is also in the `GET /v1/events` feed of the
 * parties it names. `data` is the object as it now is, the same shape its
 * own GET route answers.
 */
import { type JsonSchema, exampleOf } from './examples.ts';

type Audience = 'merchant' | 'participant' | 'both';
type EventEntry = {
  readonly audience: Audience;
  readonly description: string;
  /** The operation whose 200 answer is the shape of `data`, or the schema itself. */
  readonly data: `GET ${string}` | JsonSchema;
  /** Fields `data` has besides those of that answer. */
  readonly extra?: Record<string, JsonSchema>;
};

const MerchantSnapshot: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'mcc', 'city'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, mcc: { type: 'string' }, city: { type: 'string' } },
};

const AuthorizationReversed: JsonSchema = {
  type: 'object',
  required: ['authorizationId', 'paymentCode', 'amount', 'currency', 'merchant', 'reason', 'reversedAt'],
  properties: {
    authorizationId: { type: 'string', examples: ['chg_01jeq5z8k4m7p2r9t3v6w8x1yz'] },
    paymentCode: { type: 'string' },
    amount: { type: 'integer' },
    currency: { type: 'string' },
    merchant: MerchantSnapshot,
    reason: { type: 'string', enum: ['unknown_timeout', 'till_reversed'] },
    reversedAt: { type: 'string', format: 'date-time' },
  },
};

const PositionThreshold: JsonSchema = {
  type: 'object',
  required: [
    'participantId',
    'currency',
    'threshold',
    'direction',
    'position',
    'reserved',
    'netDebitCap',
    'prefunding',
    'headroom',
  ],
  properties: {
    participantId: { type: 'string' },
    currency: { type: 'string' },
    threshold: {
      type: 'integer',
      description: 'the headroom threshold crossed, in percent of the cap',
      examples: [20],
    },
    direction: { type: 'string', enum: ['down', 'up'], description: '`down`: headroom fell below it; `up`: rose back' },
    position: { type: 'integer', examples: [-400000000000] },
    reserved: { type: 'integer', examples: [0] },
    netDebitCap: { type: 'integer' },
    prefunding: { type: 'integer' },
    headroom: { type: 'integer', examples: [100000000000] },
  },
};

/** A checkout's events name its merchant's acquirer too, which the checkout's own answer leaves out. */
const checkoutExtra: Record<string, JsonSchema> = { acquirerId: { type: 'string' } };

export const eventCatalogue: Readonly<Record<string, EventEntry>> = {
  'checkout.paid': {
    audience: 'merchant',
    description: 'The checkout was paid; `data` is the checkout.',
    data: 'GET /v1/checkouts/{id}',
    extra: checkoutExtra,
  },
  'checkout.expired': {
    audience: 'merchant',
    description: 'The checkout expired unpaid.',
    data: 'GET /v1/checkouts/{id}',
    extra: checkoutExtra,
  },
  'checkout.canceled': {
    audience: 'merchant',
    description: 'The checkout was canceled.',
    data: 'GET /v1/checkouts/{id}',
    extra: checkoutExtra,
  },
  'payment.succeeded': {
    audience: 'merchant',
    description: 'The merchant received a payment (checkout, placard, till QR or payment code); `data` is the payment.',
    data: 'GET /v1/payments/{id}',
  },
  'payment.refunded': {
    audience: 'merchant',
    description: 'A refund of the payment was posted; `data` is the payment, its refunded amount updated.',
    data: 'GET /v1/payments/{id}',
  },
  'channel_application.approved': {
    audience: 'merchant',
    description: "The wallet approved the merchant's application: the channel is active.",
    data: 'GET /v1/channel-applications/{id}',
  },
  'channel_application.rejected': {
    audience: 'merchant',
    description: 'The wallet rejected the application.',
    data: 'GET /v1/channel-applications/{id}',
  },
  'channel_application.info_requested': {
    audience: 'merchant',
    description: 'The wallet asks for more information (`question`); answer with PATCH.',
    data: 'GET /v1/channel-applications/{id}',
  },
  'channel.suspended': {
    audience: 'merchant',
    description: 'The wallet suspended the channel: it is no longer offered.',
    data: 'GET /v1/channel-applications/{id}',
  },
  'channel.reinstated': {
    audience: 'merchant',
    description: 'The wallet reinstated the channel.',
    data: 'GET /v1/channel-applications/{id}',
  },
  'pos_qr.paid': { audience: 'merchant', description: 'The till QR was paid.', data: 'GET /v1/pos/qr-codes/{id}' },
  'pos_qr.canceled': {
    audience: 'merchant',
    description: 'The till QR was canceled.',
    data: 'GET /v1/pos/qr-codes/{id}',
  },
  'pos_charge.succeeded': {
    audience: 'merchant',
    description: 'The wallet approved the payment-code charge.',
    data: 'GET /v1/pos/charges/{id}',
  },
  'pos_charge.declined': {
    audience: 'merchant',
    description: 'The wallet declined the payment-code charge.',
    data: 'GET /v1/pos/charges/{id}',
  },
  'pos_charge.reversed': {
    audience: 'merchant',
    description: 'The charge was reversed (no answer in time, or the till reversed it).',
    data: 'GET /v1/pos/charges/{id}',
  },
  'transfer.committed': {
    audience: 'participant',
    description: 'Sent to the payee (the acquirer): money is owed to it.',
    data: 'GET /v1/transfers/{id}',
  },
  'refund.created': {
    audience: 'both',
    description: 'A refund was made; the issuer credits its user and answers 2xx, which confirms the refund.',
    data: 'GET /v1/refunds/{id}',
  },
  'refund.posted': {
    audience: 'participant',
    description: 'Sent to the acquirer in the transaction that debits it for the refund.',
    data: 'GET /v1/refunds/{id}',
    extra: {
      acquirerParticipantId: { type: 'string' },
      acquirerPositionEffect: {
        type: 'integer',
        description: "what the refund moved the acquirer's position by (at most 0)",
        examples: [-7500000],
      },
    },
  },
  'refund.succeeded': {
    audience: 'both',
    description: 'The issuer confirmed the refund: it credited its user.',
    data: 'GET /v1/refunds/{id}',
  },
  'authorization.reversed': {
    audience: 'participant',
    description: 'Sent to the issuer: a charge it was asked to authorise is reversed; undo any debit.',
    data: AuthorizationReversed,
  },
  'position.threshold': {
    audience: 'participant',
    description: "The participant's headroom against its net debit cap crossed a threshold.",
    data: PositionThreshold,
  },
  'settlement_window.closed': {
    audience: 'participant',
    description: "A settlement window closed; `data` is the window with this participant's own report lines.",
    data: 'GET /v1/settlement-windows/{id}/report',
  },
  'settlement_window.settled': {
    audience: 'participant',
    description: 'The window was marked settled: its nets were posted.',
    data: 'GET /v1/settlement-windows/{id}/report',
  },
  'dispute.created': {
    audience: 'both',
    description: 'The issuer raised a dispute on a payment.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.accepted': {
    audience: 'both',
    description: 'The acquirer (or merchant) accepted the dispute: a chargeback is posted.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.contested': {
    audience: 'both',
    description: 'The acquirer (or merchant) contested the dispute with evidence.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.withdrawn': {
    audience: 'both',
    description: 'The issuer withdrew the dispute.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.escalated': {
    audience: 'both',
    description: 'The issuer escalated the contested dispute to the operator.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.won_by_issuer': {
    audience: 'both',
    description: 'The operator ruled for the issuer: a chargeback and the arbitration fee are posted.',
    data: 'GET /v1/disputes/{id}',
  },
  'dispute.won_by_acquirer': {
    audience: 'both',
    description: 'The operator ruled for the acquirer: the arbitration fee is posted.',
    data: 'GET /v1/disputes/{id}',
  },
};

type Json = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, Json>> };
type Resolve = (ref: string) => JsonSchema | undefined;

/** The headers Standard Webhooks puts on a webhook to a merchant. */
const webhookHeaders = [
  [
    'webhook-id',
    'The event id; the same on every retry, so a receiver keeps the ids it has handled',
    'evt_01jeq5z8k4m7p2r9t3v6w8x1yz',
  ],
  [
    'webhook-timestamp',
    'Unix seconds of this attempt; refuse one more than 5 minutes away from your clock',
    '1796549400',
  ],
  [
    'webhook-signature',
    '`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint secret (`whsec_...`); several during a rotation',
    'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  ],
] as const;

/** The headers of the hub's signed requests to a participant (RFC 9421 with the hub's key, `GET /v1/hub/keys`). */
const callbackHeaders = [
  [
    'signature-input',
    'RFC 9421 parameters: covers `@method @authority @path @query content-digest content-type idempotency-key`, with `created`, `keyid` and `nonce`',
    'sig=("@method" "@authority" "@path" "@query" "content-digest" "content-type" "idempotency-key");created=1796549400;keyid="hubkey_01jeq5z8k4m7p2r9t3v6w8x1yz";nonce="q2Xh0b7kR4sW";alg="ed25519"',
  ],
  [
    'signature',
    'The Ed25519 signature of the signature base; verify it with the hub key named by `keyid`',
    'sig=:SlToIrFClSDIIRHINcTs7Lo/7zZZ5DvK5pG/XyzUUCm+v9tGqscPYqbZYi3Uxz7+yQ6dOfRPz7yLP4HoQcA+Cg==:',
  ],
  ['content-digest', 'RFC 9530 sha-256 of the body', 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'],
  [
    'idempotency-key',
    'The event id (for an authorisation, the authorization id): the same on every retry',
    'evt_01jeq5z8k4m7p2r9t3v6w8x1yz',
  ],
] as const;

function headerParameters(headers: readonly (readonly [string, string, string])[]): Json[] {
  return headers.map(([name, description, example]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
    example,
  }));
}

function dataSchemaOf(entry: EventEntry, document: Document): JsonSchema {
  const base = typeof entry.data === 'string' ? answerSchemaOf(document, entry.data) : entry.data;
  if (!entry.extra) return base;
  return { allOf: [base, { type: 'object', properties: entry.extra, required: Object.keys(entry.extra) }] };
}

function answerSchemaOf(document: Document, operation: string): JsonSchema {
  const [method = '', path = ''] = operation.split(' ');
  const responses = document.paths[path]?.[method.toLowerCase()]?.responses as
    | Record<string, { content?: Record<string, { schema?: JsonSchema }> }>
    | undefined;
  const schema = responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the event catalogue names ${operation}, which answers no JSON 200`);
  return schema;
}

function eventBody(type: string, data: JsonSchema, context: readonly string[], resolve: Resolve): Json {
  const schema: JsonSchema = {
    type: 'object',
    required: ['id', 'type', 'createdAt', 'data'],
    properties: {
      id: { type: 'string', description: 'the event id; deduplicate on it' },
      type: { type: 'string', enum: [type] },
      createdAt: { type: 'string', format: 'date-time' },
      data,
    },
  };
  return {
    required: true,
    content: {
      'application/json': {
        schema,
        example: {
          id: 'evt_01jeq5z8k4m7p2r9t3v6w8x1yz',
          type,
          createdAt: '2026-12-07T09:30:00.000Z',
          data: exampleOf(data, resolve, '', context),
        },
      },
    },
  };
}

const acknowledged = {
  '2XX': { description: 'Received: the hub stops retrying. Answer quickly (within 10 s) and do the work afterwards.' },
  default: {
    description:
      'Anything else, or no answer within 10 s, is a failed attempt: the hub retries with backoff for 24 hours ' +
      '(410 Gone stops at once), then the delivery is `failed`; see `/v1/webhook-deliveries` or `/v1/callback-deliveries`.',
  },
};

function merchantWebhook(type: string, entry: EventEntry, body: Json): Json {
  return {
    post: {
      operationId: `webhook.${type}`,
      tags: ['webhooks (to merchants)'],
      summary: `${type}, to a merchant's webhook endpoint`,
      description:
        `${entry.description}\n\nPOSTed to every webhook endpoint of the merchant that lists \`${type}\` ` +
        '(or `*`), signed with Standard Webhooks under the endpoint secret. Verify the signature over the raw ' +
        'bytes before parsing, and treat `webhook-id` as the idempotency key: the same event may arrive twice.',
      parameters: headerParameters(webhookHeaders),
      requestBody: body,
      responses: acknowledged,
    },
  };
}

function participantCallback(type: string, entry: EventEntry, body: Json): Json {
  return {
    post: {
      operationId: `callback.${type}`,
      tags: ['callbacks (to participants)'],
      summary: `${type}, to POST {callbackUrl}/events`,
      description:
        `${entry.description}\n\nPOSTed to the participant's \`{callbackUrl}/events\`, signed by the hub ` +
        '(RFC 9421, Ed25519; keys at `GET /v1/hub/keys`). Verify the signature and the `Content-Digest` ' +
        'before acting, refuse a reused nonce, and deduplicate on the event id (also the `Idempotency-Key`).',
      parameters: headerParameters(callbackHeaders),
      requestBody: body,
      responses: acknowledged,
    },
  };
}

const AuthorizationRequest: JsonSchema = {
  type: 'object',
  required: ['authorizationId', 'paymentCode', 'amount', 'currency', 'merchant', 'deadline'],
  properties: {
    authorizationId: { type: 'string', examples: ['chg_01jeq5z8k4m7p2r9t3v6w8x1yz'] },
    paymentCode: { type: 'string', description: "the code the consumer's wallet showed" },
    amount: { type: 'integer' },
    currency: { type: 'string' },
    merchant: MerchantSnapshot,
    deadline: { type: 'string', format: 'date-time', description: 'answer before this, or the charge is `unknown`' },
  },
};

const AuthorizationAnswer: JsonSchema = {
  type: 'object',
  required: ['authorizationId', 'amount', 'currency', 'decision'],
  properties: {
    authorizationId: { type: 'string', examples: ['chg_01jeq5z8k4m7p2r9t3v6w8x1yz'] },
    amount: { type: 'integer' },
    currency: { type: 'string' },
    decision: { type: 'string', enum: ['approved', 'declined'] },
    reason: { anyOf: [{ type: 'string' }, { type: 'null' }], examples: [null] },
  },
};

function authorizationCallback(resolve: Resolve): Json {
  return {
    post: {
      operationId: 'callback.authorizations',
      tags: ['callbacks (to participants)'],
      summary: 'POST {callbackUrl}/authorizations: authorise a payment-code charge',
      description:
        'The hub asks the issuer whose prefix the payment code has to authorise a charge at a till, signed ' +
        '(RFC 9421) with the hub key; `Idempotency-Key` is the authorization id, so a repeat gets the same answer. ' +
        'Answer `200` before `deadline`, signed with one of your active keys covering `@status`, ' +
        '`content-digest` and `content-type`, naming the same authorization id, amount and currency. Any other ' +
        'answer, an unsigned one or none in time leaves the charge `unknown`; the hub then reverses it and sends ' +
        '`authorization.reversed`, or the wallet settles it with `POST /v1/pos/charges/{id}/authorization`.',
      parameters: headerParameters(callbackHeaders),
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: AuthorizationRequest, example: exampleOf(AuthorizationRequest, resolve) },
        },
      },
      responses: {
        200: {
          description:
            "The wallet's decision, signed by the wallet (RFC 9421 over `@status`, `content-digest`, `content-type`)",
          content: {
            'application/json': { schema: AuthorizationAnswer, example: exampleOf(AuthorizationAnswer, resolve) },
          },
        },
        default: { description: 'Not a decision: the charge stays `unknown` until answered or reversed' },
      },
    },
  };
}

/** The `webhooks` section: each event once per kind of receiver, and the authorisation callback. */
export function webhooksOf(document: Document, resolve: Resolve): Record<string, Json> {
  const webhooks: Record<string, Json> = {};
  for (const [type, entry] of Object.entries(eventCatalogue)) {
    const context =
      typeof entry.data === 'string' ? entry.data.split('/').filter((part) => part && !part.startsWith('{')) : [];
    const body = eventBody(type, dataSchemaOf(entry, document), context, resolve);
    if (entry.audience !== 'participant') webhooks[`webhook ${type}`] = merchantWebhook(type, entry, body);
    if (entry.audience !== 'merchant') webhooks[`callback ${type}`] = participantCallback(type, entry, body);
  }
  webhooks['callback authorizations'] = authorizationCallback(resolve);
  return webhooks;
}
