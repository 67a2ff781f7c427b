/**
 * Examples for the OpenAPI document, made from each schema and the names of
 * its fields, so that every request and answer shows values a real caller
 * would send or see: a CNY or IDR amount in minor units, ids with their type
 * prefix, RFC 3339 times. A schema's own `examples`, `default` or `enum` wins
 * over a guess.
 */

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  $ref?: string;
  description?: string;
};

/** A fixed moment, so the document is the same on every start. */
const exampleTime = '2026-12-07T09:30:00.000Z';
const exampleDate = '2026-12-07';

/** Type prefixes of ids (`src/platform` `newId`), by what a field or a path segment names. */
const idPrefixes: Record<string, string> = {
  participant: 'par',
  issuerParticipant: 'par',
  acquirerParticipant: 'par',
  payerParticipant: 'par',
  payeeParticipant: 'par',
  acquirer: 'par',
  issuer: 'par',
  wallet: 'par',
  paidWallet: 'par',
  defaultWallet: 'par',
  primaryWallet: 'par',
  object: 'chk',
  payer: 'par',
  payee: 'par',
  participants: 'par',
  wallets: 'par',
  merchant: 'mer',
  merchants: 'mer',
  checkout: 'chk',
  checkouts: 'chk',
  attempt: 'att',
  attempts: 'att',
  transfer: 'trf',
  transfers: 'trf',
  paymentTransfer: 'trf',
  chargebackTransfer: 'trf',
  arbitrationFeeTransfer: 'trf',
  payments: 'trf',
  refund: 'ref',
  refunds: 'ref',
  charges: 'chg',
  charge: 'chg',
  window: 'win',
  nextWindow: 'win',
  'settlement-windows': 'win',
  dispute: 'dsp',
  disputes: 'dsp',
  evidence: 'evd',
  event: 'evt',
  events: 'evt',
  'audit-events': 'aud',
  'webhook-endpoints': 'whe',
  endpoint: 'whe',
  'webhook-deliveries': 'dlv',
  'callback-deliveries': 'dlv',
  delivery: 'dlv',
  'channel-applications': 'cha',
  channel: 'cha',
  application: 'cha',
  rules: 'rol',
  reconciliations: 'rec',
  reconciliation: 'rec',
  'qr-codes': 'tqr',
  posQr: 'tqr',
  authorization: 'chg',
  batch: 'tbt',
  positions: 'par',
};

/** One made-up id per prefix, the shape `newId` gives: 10 time and 16 random Crockford base-32 characters, lowercase. */
export function exampleId(prefix: string): string {
  return `${prefix}_01jeq5z8k4m7p2r9t3v6w8x1yz`;
}

/** Values for fields whose name says what they hold. */
const byName: Record<string, unknown> = {
  currency: 'IDR',
  currencies: ['IDR', 'CNY'],
  amount: 15000000,
  unitAmount: 7500000,
  quantity: 2,
  country: 'ID',
  city: 'Jakarta',
  cityLatin: 'Jakarta',
  name: 'Toko Kopi Senja',
  nameLatin: 'Toko Kopi Senja',
  mcc: '5814',
  language: 'id',
  reference: 'INV-2026-000417',
  ref: 'wallet-tx-7f3a91c2',
  payerRef: 'wallet-tx-7f3a91c2',
  receiptNumber: '482913650271',
  reason: 'The buyer returned one of the two items',
  note: 'Receipt and delivery confirmation attached',
  sku: 'KOPI-SUSU-250',
  title: 'Kopi susu 250 ml',
  buyerId: 'buyer-88412',
  callbackUrl: 'https://api.dompet.example/lintas',
  url: 'https://shop.example/lintas/webhooks',
  website: 'https://shop.example',
  returnUrl: 'https://shop.example/orders/417/done',
  hostedUrl: 'https://hub.example/checkout/chk_01jeq5z8k4m7p2r9t3v6w8x1yz#cs=cs_4b9Zq1xY2wV3uT5sR7pQ9nM0',
  shareUrl: 'https://hub.example/share/shr_9fK2mQ4xP7vL1nR8',
  deepLink: 'dompet://pay?token=ptk_5m8Qx2Lr9Vw3Kd7N',
  qrPayload:
    '00020101021226370016org.lintas.hub0115ptk5m8Qx2Lr9Vw5204581453033605408150000.005802ID5915Toko Kopi Senja6007Jakarta6304A1B2',
  paymentToken: 'ptk_5m8Qx2Lr9Vw3Kd7N',
  paymentCode: '6210123456789012',
  token: 'shr_9fK2mQ4xP7vL1nR8',
  clientSecret: 'cs_4b9Zq1xY2wV3uT5sR7pQ9nM0',
  secretKey: 'sk_live_3kT9wQ2mX7vB5nR1pL8sD4fG',
  secret: 'whsec_MfKQ9r8GKYqrTpWbRwUZCI2ZbnF7eMzO',
  kid: 'dompet-2026-12',
  keyId: 'dompet-2026-12',
  flow: 'qr',
  flows: ['app_switch', 'qr', 'friend_pay'],
  placement: 'primary',
  roles: ['issuer'],
  events: ['checkout.paid', 'refund.succeeded'],
  type: 'checkout.paid',
  bps: 70,
  percent: 25,
  expectedMonthlyVolume: 25000000000,
  expiresInSeconds: 900,
  netDebitCap: 500000000000,
  prefunding: 0,
  sha256: '3b7e72e2d3c1f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829',
  salt: 'c2FsdC1mb3ItZXhhbXBsZQ',
  contentType: 'application/pdf',
  fileName: 'delivery-receipt.pdf',
  category: 'food_and_drink',
  paymentCodePrefixes: ['621012'],
  question: 'Please send your business licence (NIB)',
  kind: 'wechatpay_v3',
  jwsPublicKey:
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn3w8Qb6yVt2LrXk9M1dP\n-----END PUBLIC KEY-----\n',
  publicKey:
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq8Zt4Wm1Yx2Nv5Kp0Rs7Hd\n-----END PUBLIC KEY-----\n',
  state: 'COMMITTED',
  partyIdType: 'MSISDN',
  partyIdentifier: '6281234567890',
  errorCode: '4001',
  serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  serialNo: '444F4864EA9B34415E4A7B8F7B5DB4A34C3F2E1D',
  publicKeyPem:
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\n',
  privateKeyPem:
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n',
  mchid: '1900007291',
  appid: 'wxd678efh567hg6787',
  apiV3Key: 'Kd8uR2xQ7vN4mL9pT3wZ6sB1yF5hJ0cE',
  businessDate: exampleDate,
  date: exampleDate,
  objectType: 'checkout',
  action: 'checkout.created',
  source: 'checkout',
  party: 'issuer',
  value: 'IDR',
  index: 0,
  limit: 20,
  idempotencyKey: '5d1c7e7a-3f0b-4a8e-9a55-2b1f0c9e4d21',
  appSwitchUrlTemplate: 'dompet://pay?token={token}',
  contentBase64: 'JVBERi0xLjcKJeLjz9MK',
  evidence: 'Courier record: delivered to the buyer on 2026-12-05',
  respondedBy: 'acquirer',
  responseNote: 'Delivered on 2026-12-05; the courier record is attached',
  responseEvidence: 'Courier record: delivered to the buyer on 2026-12-05',
  escalationNote: 'The buyer says the parcel was left at the wrong address',
  rulingReason: 'goods_delivered',
  rulingNote: "The courier's record shows delivery to the buyer's address",
  decidedByRule: 'not_received/checkout_payment',
  statusReason: 'Business licence (NIB) verified',
  paymentCodeLast4: '9012',
  declineReason: 'insufficient_funds',
  eventType: 'checkout.paid',
  lastError: 'the receiver answered 503',
  buyerAllowList: ['buyer-88412'],
  buyerDenyList: ['buyer-10007'],
  skuAllowList: ['KOPI-SUSU-250'],
  categoryAllowList: ['food_and_drink'],
  circumstance: 'checkout_payment',
  methodOrder: [exampleId('par')],
  bears: 'acquirer',
  fspId: 'dompetfsp',
  types: 'checkout.paid,refund.succeeded',
  actor: 'operator',
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 37 37"><path d="M4 4h7v7H4z"/></svg>',
  from: '2026-12-01',
  to: '2026-12-07',
};

function idFor(name: string, context: readonly string[]): string | undefined {
  // A QR template's id is the EMV merchant-account tag it fills.
  if (name === 'id' && context.includes('qr-templates')) return '26';
  // A cursor is the last id of the page before; where a list's items have no id, it is what they are listed by.
  if ((name === 'after' || name === 'nextCursor') && context.includes('fee-schedules')) return 'IDR';
  if ((name === 'after' || name === 'nextCursor') && context.includes('dfsps')) return 'dompetfsp';
  if (name === 'id' || name === 'after' || name === 'nextCursor') {
    const owner = [...context].reverse().find((segment) => idPrefixes[segment] !== undefined);
    return exampleId(owner ? (idPrefixes[owner] as string) : 'obj');
  }
  const stem = /^(.*)Id$/.exec(name)?.[1];
  if (stem === undefined) return undefined;
  return exampleId(idPrefixes[stem] ?? idPrefixes[stem.replace(/^(issuer|acquirer|payer|payee)/, '')] ?? 'obj');
}

/** A status each kind of object really has, by the path segment or field that names it. */
const statusOf: Record<string, string> = {
  checkouts: 'paid',
  checkout: 'paid',
  refunds: 'succeeded',
  transfers: 'committed',
  payments: 'committed',
  transfer: 'committed',
  charges: 'succeeded',
  'qr-codes': 'paid',
  'settlement-windows': 'closed',
  'channel-applications': 'approved',
  participants: 'active',
  merchants: 'active',
  disputes: 'contested',
  'webhook-deliveries': 'delivered',
  'callback-deliveries': 'delivered',
  reconciliations: 'completed',
  keys: 'active',
};

/** Of the nullable stamps, those an example in its usual status has; the others are null. */
const stampsThatHappened = new Set(['paidAt', 'succeededAt', 'committedAt', 'approvedAt', 'closedAt', 'contestedAt']);

/** Names by what the object is: a line's product, a wallet, a merchant. */
function nameFor(context: readonly string[]): string {
  if (context.includes('lines')) return 'Kopi susu 250 ml';
  if (context.some((segment) => /wallet|method|participant|issuer|acquirer|dfsps/.test(segment)))
    return 'Dompet Nusantara';
  return 'Toko Kopi Senja';
}

function stringExample(schema: JsonSchema, name: string, context: readonly string[]): string {
  if (name === 'status') {
    const owner = [...context].reverse().find((segment) => statusOf[segment] !== undefined);
    return owner ? (statusOf[owner] as string) : 'active';
  }
  if (name === 'name' || name === 'nameLatin') return nameFor(context);
  if (schema.format === 'date-time') return exampleTime;
  if (schema.format === 'date') return exampleDate;
  if (schema.format === 'uri') return 'https://shop.example/lintas';
  if (schema.format === 'iso4217') return 'IDR';
  if (schema.format === 'iso3166-alpha2') return 'ID';
  const known = byName[name];
  if (typeof known === 'string') return known;
  const id = idFor(name, context);
  if (id !== undefined) return id;
  if (/At$/.test(name)) return exampleTime;
  if (/Url$/.test(name)) return 'https://shop.example/lintas';
  if (name === '' && context.at(-1)?.endsWith('.svg')) return byName.qrSvg as string;
  return name === '' ? 'text' : `${name} text`;
}

function numberExample(schema: JsonSchema, name: string): number {
  const known = byName[name];
  if (typeof known === 'number') return clamp(known, schema);
  if (/[Aa]mount$|[Ff]ee$|^net$|position|headroom|reserved|paid|received|[Ff]ees/.test(name))
    return clamp(1500000, schema);
  if (/^(count|transfers|payments|refunds|chargebacks|sent|offered|attempted|committed|refused)$/.test(name))
    return clamp(42, schema);
  return clamp(schema.minimum !== undefined && schema.minimum > 1 ? schema.minimum : 1, schema);
}

function clamp(value: number, schema: JsonSchema): number {
  const low = schema.minimum ?? Number.NEGATIVE_INFINITY;
  const high = schema.maximum ?? Number.POSITIVE_INFINITY;
  return Math.min(Math.max(value, low), high);
}

const depthMax = 8;

/**
 * An example for `schema`, named `name` in its parent, under the path
 * segments `context` (for an `id`, the resource it is the id of); `resolve`
 * reads a `$ref`.
 */
export function exampleOf(
  schema: JsonSchema,
  resolve: (ref: string) => JsonSchema | undefined,
  name = '',
  context: readonly string[] = [],
  depth = 0,
): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum.includes(byName[name]) ? byName[name] : schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.$ref) {
    const target = resolve(schema.$ref);
    return target && depth < depthMax ? exampleOf(target, resolve, name, context, depth + 1) : {};
  }
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice?.some((option) => option.type === 'null') && /At$/.test(name) && !stampsThatHappened.has(name))
    return null;
  if (choice) {
    const preferred = choice.find((option) => option.type !== 'null') ?? choice[0];
    return preferred ? exampleOf(preferred, resolve, name, context, depth + 1) : null;
  }
  if (schema.allOf) return mergeAll(schema.allOf.map((part) => exampleOf(part, resolve, name, context, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((one) => one !== 'null') : schema.type;
  if (type === 'object' || schema.properties) return objectExample(schema, resolve, context, depth);
  if (type === 'array') {
    const known = byName[name];
    if (Array.isArray(known)) return known;
    const item = schema.items ? exampleOf(schema.items, resolve, singular(name), context, depth + 1) : 'item';
    return [item];
  }
  if (type === 'integer' || type === 'number') return numberExample(schema, name);
  if (type === 'boolean') return true;
  if (type === 'null') return null;
  if (type === 'string') return stringExample(schema, name, context);
  return byName[name] ?? {};
}

function objectExample(
  schema: JsonSchema,
  resolve: (ref: string) => JsonSchema | undefined,
  context: readonly string[],
  depth: number,
): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  if (depth >= depthMax) return example;
  for (const [field, fieldSchema] of Object.entries(schema.properties ?? {}))
    example[field] = exampleOf(fieldSchema, resolve, field, [...context, field], depth + 1);
  const extra = schema.additionalProperties;
  if (!schema.properties && typeof extra === 'object')
    example.IDR = exampleOf(extra, resolve, 'amount', context, depth + 1);
  return example;
}

function mergeAll(parts: unknown[]): unknown {
  if (parts.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part)))
    return Object.assign({}, ...parts);
  return parts[0];
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}
