import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * An independent RFC 9421 signer and verifier for tests, written straight from
 * the RFC (2.1 fields, 2.2 derived components, 2.3 signature parameters,
 * 2.5 signature base, 3.3.6 Ed25519) and the few RFC 8941 structured-field
 * shapes it needs. It shares no code with `http-message-signatures` nor with
 * `src/http`: a request one side signs and the other accepts proves the two
 * agree with the RFC, not merely with themselves. Checked against the
 * RFC 9421 B.2.6 test vector in `src/http/signatures.test.ts`.
 *
 * Not for production: it throws on anything it does not understand.
 */

export type ReferenceRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
};

export type ReferenceSignOptions = {
  /** Optional in RFC 9421, required by the hub: omit it to build a request the hub must refuse. */
  keyId?: string;
  privateKey: KeyObject;
  /** Unix seconds; optional in RFC 9421, required by the hub. */
  created?: number;
  expires?: number;
  nonce?: string;
  /** Adds `alg="ed25519"`; RFC 9421 makes it optional. */
  alg?: boolean;
  label?: string;
  /** Covered component identifiers, in order; defaults to the hub's set for this request. */
  components?: readonly string[];
  /** Extra parameters, serialized after the standard ones (strings or integers). */
  extraParams?: Record<string, string | number>;
};

export type ReferenceSignature = {
  /** Headers to add to the request: content-digest (when added), signature-input, signature. */
  headers: Record<string, string>;
  signatureBase: string;
};

// ---------------------------------------------------------------- RFC 8941 serialization

function serializeString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`not an sf-string: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function serializeBareItem(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`only integers are serialized here: ${value}`);
    return String(value);
  }
  return serializeString(value);
}

/** RFC 9421 2.3: the inner list of component identifiers followed by its parameters. */
function serializeSignatureParams(components: readonly string[], params: readonly [string, string | number][]): string {
  const list = `(${components.map(serializeString).join(' ')})`;
  return list + params.map(([key, value]) => `;${key}=${serializeBareItem(value)}`).join('');
}

// ---------------------------------------------------------------- RFC 9421 2.1 / 2.2 component values

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/** The value of one covered component, or undefined when the message lacks it. */
function componentValue(request: ReferenceRequest, component: string): string | undefined {
  const url = new URL(request.url);
  switch (component) {
    case '@method':
      return request.method;
    case '@target-uri':
      return request.url;
    case '@authority':
      return url.host.toLowerCase(); // WHATWG URL already drops the scheme's default port
    case '@scheme':
      return url.protocol.slice(0, -1).toLowerCase();
    case '@path':
      return url.pathname === '' ? '/' : url.pathname;
    case '@query':
      return url.search === '' ? '?' : url.search;
    case '@request-target':
      return `${url.pathname}${url.search}`;
    default: {
      if (component.startsWith('@')) throw new Error(`reference signer does not derive ${component}`);
      const value = findHeader(request.headers, component);
      // 2.1: strip leading and trailing whitespace; obs-fold is not produced by our callers.
      return value === undefined ? undefined : value.trim();
    }
  }
}

/** RFC 9421 2.5: one line per covered component, then the @signature-params line; no trailing newline. */
export function referenceSignatureBase(
  request: ReferenceRequest,
  components: readonly string[],
  signatureParams: string,
): string {
  const lines = components.map((component) => {
    if (component !== component.toLowerCase()) throw new Error(`component identifiers are lowercase: ${component}`);
    const value = componentValue(request, component);
    if (value === undefined) throw new Error(`the message has no ${component}`);
    return `${serializeString(component)}: ${value}`;
  });
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- signing

/** RFC 9530, sha-256 only. */
export function referenceContentDigest(body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** The components the hub requires for this request (docs/concepts.md, "Who calls"). */
export function hubComponentsFor(headers: Record<string, string>): string[] {
  const conditional = ['content-digest', 'content-type', 'idempotency-key'];
  return [
    '@method',
    '@authority',
    '@path',
    '@query',
    ...conditional.filter((name) => findHeader(headers, name) !== undefined),
  ];
}

function signatureParamsOf(options: ReferenceSignOptions): [string, string | number][] {
  const params: [string, string | number][] = [];
  if (options.created !== undefined) params.push(['created', options.created]);
  if (options.expires !== undefined) params.push(['expires', options.expires]);
  if (options.keyId !== undefined) params.push(['keyid', options.keyId]);
  if (options.nonce !== undefined) params.push(['nonce', options.nonce]);
  if (options.alg) params.push(['alg', 'ed25519']);
  for (const [key, value] of Object.entries(options.extraParams ?? {})) params.push([key, value]);
  return params;
}

/**
 * Signs a request. When it has a body and no `content-digest` header, one is
 * added (and so covered by the default components).
 */
export function referenceSign(request: ReferenceRequest, options: ReferenceSignOptions): ReferenceSignature {
  const added: Record<string, string> = {};
  if (request.body !== undefined && findHeader(request.headers, 'content-digest') === undefined) {
    added['content-digest'] = referenceContentDigest(request.body);
  }
  const withDigest = { ...request, headers: { ...request.headers, ...added } };
  const components = options.components ?? hubComponentsFor(withDigest.headers);
  const signatureParams = serializeSignatureParams(components, signatureParamsOf(options));
  const signatureBase = referenceSignatureBase(withDigest, components, signatureParams);
  const signature = sign(null, Buffer.from(signatureBase, 'utf8'), options.privateKey);
  const label = options.label ?? 'sig1';
  return {
    headers: {
      ...added,
      'signature-input': `${label}=${signatureParams}`,
      signature: `${label}=:${signature.toString('base64')}:`,
    },
    signatureBase,
  };
}

export type ReferenceResponse = { status: number; headers: Record<string, string>; body: string | Buffer };

/**
 * Signs a response (RFC 9421 2.2.9 `@status`), as a wallet signs its answer
 * to the hub: by default `"@status"`, `"content-digest"` (added) and
 * `"content-type"` when the response has one.
 */
export function referenceSignResponse(response: ReferenceResponse, options: ReferenceSignOptions): ReferenceSignature {
  const added: Record<string, string> = {};
  if (findHeader(response.headers, 'content-digest') === undefined)
    added['content-digest'] = referenceContentDigest(response.body);
  const headers = { ...response.headers, ...added };
  const components = options.components ?? [
    '@status',
    'content-digest',
    ...(findHeader(headers, 'content-type') !== undefined ? ['content-type'] : []),
  ];
  const signatureParams = serializeSignatureParams(components, signatureParamsOf(options));
  const lines = components.map((component) => {
    const value = component === '@status' ? String(response.status) : findHeader(headers, component)?.trim();
    if (value === undefined) throw new Error(`the response has no ${component}`);
    return `${serializeString(component)}: ${value}`;
  });
  lines.push(`"@signature-params": ${signatureParams}`);
  const signatureBase = lines.join('\n');
  const signature = sign(null, Buffer.from(signatureBase, 'utf8'), options.privateKey);
  const label = options.label ?? 'sig1';
  return {
    headers: {
      ...added,
      'signature-input': `${label}=${signatureParams}`,
      signature: `${label}=:${signature.toString('base64')}:`,
    },
    signatureBase,
  };
}

// ---------------------------------------------------------------- RFC 8941 parsing (the subset used here)

type BareItem = string | number | boolean | { token: string } | { bytes: Buffer };
type Params = [string, BareItem][];
type Member = { value: BareItem | { items: { value: BareItem; params: Params }[] }; params: Params };

class Cursor {
  index = 0;
  constructor(readonly text: string) {}
  peek(): string | undefined {
    return this.text[this.index];
  }
  take(): string {
    const char = this.text[this.index];
    if (char === undefined) throw new Error('unexpected end of structured field');
    this.index += 1;
    return char;
  }
  skip(pattern: RegExp): void {
    while (this.peek() !== undefined && pattern.test(this.peek() as string)) this.index += 1;
  }
  done(): boolean {
    return this.index >= this.text.length;
  }
}

function parseKey(cursor: Cursor): string {
  if (!/[a-z*]/.test(cursor.peek() ?? ''))
    throw new Error(`a key starts with a lowercase letter or *, at ${cursor.index}`);
  let key = '';
  while (/[a-z0-9_\-.*]/.test(cursor.peek() ?? '')) key += cursor.take();
  return key;
}

function parseString(cursor: Cursor): string {
  cursor.take(); // opening quote
  let value = '';
  for (;;) {
    const char = cursor.take();
    if (char === '"') return value;
    if (char === '\\') {
      const escaped = cursor.take();
      if (escaped !== '"' && escaped !== '\\') throw new Error('bad escape in sf-string');
      value += escaped;
    } else if (/[\x20-\x7e]/.test(char)) value += char;
    else throw new Error('non-printable character in sf-string');
  }
}

function parseBareItem(cursor: Cursor): BareItem {
  const first = cursor.peek() ?? '';
  if (first === '"') return parseString(cursor);
  if (first === ':') {
    cursor.take();
    let encoded = '';
    while (cursor.peek() !== ':') encoded += cursor.take();
    cursor.take();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new Error('bad base64 in byte sequence');
    return { bytes: Buffer.from(encoded, 'base64') };
  }
  if (first === '?') {
    cursor.take();
    const bit = cursor.take();
    if (bit !== '0' && bit !== '1') throw new Error('bad boolean');
    return bit === '1';
  }
  if (/[-0-9]/.test(first)) {
    let digits = cursor.take();
    while (/[0-9]/.test(cursor.peek() ?? '')) digits += cursor.take();
    if (cursor.peek() === '.') throw new Error('decimals are not used here');
    if (!/^-?[0-9]{1,15}$/.test(digits)) throw new Error('bad integer');
    return Number(digits);
  }
  if (/[A-Za-z*]/.test(first)) {
    let token = '';
    while (/[A-Za-z0-9!#$%&'*+\-.^_`|~:/]/.test(cursor.peek() ?? '')) token += cursor.take();
    return { token };
  }
  throw new Error(`unexpected ${JSON.stringify(first)} at ${cursor.index}`);
}

function parseParams(cursor: Cursor): Params {
  const params: Params = [];
  while (cursor.peek() === ';') {
    cursor.take();
    cursor.skip(/ /);
    const key = parseKey(cursor);
    let value: BareItem = true;
    if (cursor.peek() === '=') {
      cursor.take();
      value = parseBareItem(cursor);
    }
    params.push([key, value]);
  }
  return params;
}

function parseMember(cursor: Cursor): Member {
  if (cursor.peek() !== '(') return { value: parseBareItem(cursor), params: parseParams(cursor) };
  cursor.take();
  const items: { value: BareItem; params: Params }[] = [];
  for (;;) {
    cursor.skip(/ /);
    if (cursor.peek() === ')') break;
    items.push({ value: parseBareItem(cursor), params: parseParams(cursor) });
    if (cursor.peek() !== ' ' && cursor.peek() !== ')') throw new Error('inner list items are space separated');
  }
  cursor.take();
  return { value: { items }, params: parseParams(cursor) };
}

function parseDictionary(text: string): Map<string, Member> {
  const cursor = new Cursor(text);
  const members = new Map<string, Member>();
  cursor.skip(/ /);
  while (!cursor.done()) {
    const key = parseKey(cursor);
    if (cursor.peek() === '=') {
      cursor.take();
      members.set(key, parseMember(cursor));
    } else {
      members.set(key, { value: true, params: parseParams(cursor) });
    }
    cursor.skip(/[ \t]/);
    if (cursor.done()) break;
    if (cursor.take() !== ',') throw new Error('dictionary members are comma separated');
    cursor.skip(/[ \t]/);
    if (cursor.done()) throw new Error('trailing comma in dictionary');
  }
  return members;
}

// ---------------------------------------------------------------- verifying

export type ReferenceVerifyOptions = {
  resolveKey(keyId: string): KeyObject | undefined;
  /** When given, `created` must be within maxAgeSeconds (default 300) of it. */
  now?: Date;
  maxAgeSeconds?: number;
  /** Components that must be covered; defaults to the hub's set for this request. */
  requiredComponents?: readonly string[];
  label?: string;
};

export type ReferenceVerdict =
  | {
      ok: true;
      label: string;
      keyId: string;
      created: number;
      nonce: string | undefined;
      alg: string | undefined;
      components: string[];
    }
  | { ok: false; reason: string };

type ParsedSignature = { label: string; components: string[]; params: Params; signature: Buffer };

function readSignature(request: ReferenceRequest, wanted: string | undefined): ParsedSignature {
  const inputHeader = findHeader(request.headers, 'signature-input');
  const signatureHeader = findHeader(request.headers, 'signature');
  if (inputHeader === undefined || signatureHeader === undefined)
    throw new Error('Signature-Input or Signature is missing');
  const inputs = parseDictionary(inputHeader);
  const signatures = parseDictionary(signatureHeader);
  const label = wanted ?? [...inputs.keys()][0];
  const input = label === undefined ? undefined : inputs.get(label);
  const signature = label === undefined ? undefined : signatures.get(label);
  if (label === undefined || !input || !signature) throw new Error(`no signature labelled ${label ?? '(none)'}`);
  if (typeof input.value !== 'object' || !('items' in input.value))
    throw new Error('Signature-Input member is not an inner list');
  const components = input.value.items.map((item) => {
    if (typeof item.value !== 'string' || item.params.length > 0)
      throw new Error('this verifier takes plain string components only');
    return item.value;
  });
  if (typeof signature.value !== 'object' || !('bytes' in signature.value))
    throw new Error('Signature member is not a byte sequence');
  return { label, components, params: input.params, signature: signature.value.bytes };
}

function checkParams(parsed: ParsedSignature, options: ReferenceVerifyOptions) {
  const param = (name: string) => parsed.params.find(([key]) => key === name)?.[1];
  const created = param('created');
  const keyId = param('keyid');
  const nonce = param('nonce');
  const alg = param('alg');
  if (typeof created !== 'number') throw new Error('created is missing');
  if (typeof keyId !== 'string') throw new Error('keyid is missing');
  if (nonce !== undefined && typeof nonce !== 'string') throw new Error('nonce is not a string');
  if (alg !== undefined && alg !== 'ed25519') throw new Error(`alg is ${JSON.stringify(alg)}, not "ed25519"`);
  if (options.now) {
    const ageSeconds = Math.floor(options.now.getTime() / 1000) - created;
    if (ageSeconds > (options.maxAgeSeconds ?? 300) || ageSeconds < -30)
      throw new Error(`created is ${ageSeconds} s old`);
  }
  return { created, keyId, nonce, alg };
}

function serializeParsedParams(params: Params): [string, string | number][] {
  return params.map(([key, value]) => {
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`parameter ${key} is not a string or integer`);
    return [key, value];
  });
}

/**
 * Verifies one signature of a request (the first, or `label`): Ed25519 over
 * the signature base rebuilt from the message, the required components
 * covered, and a covered Content-Digest that matches the body.
 */
export function referenceVerify(request: ReferenceRequest, options: ReferenceVerifyOptions): ReferenceVerdict {
  try {
    const parsed = readSignature(request, options.label);
    const { created, keyId, nonce, alg } = checkParams(parsed, options);
    const required = options.requiredComponents ?? hubComponentsFor(request.headers);
    const uncovered = required.filter((component) => !parsed.components.includes(component));
    if (uncovered.length > 0) throw new Error(`not covered: ${uncovered.join(' ')}`);
    const digest = findHeader(request.headers, 'content-digest');
    if (request.body !== undefined && request.body.length > 0 && digest !== referenceContentDigest(request.body)) {
      throw new Error('content-digest does not match the body (or is not sha-256 alone)');
    }
    const key = options.resolveKey(keyId);
    if (!key) throw new Error(`unknown keyid ${keyId}`);
    const signatureParams = serializeSignatureParams(parsed.components, serializeParsedParams(parsed.params));
    const base = referenceSignatureBase(request, parsed.components, signatureParams);
    if (parsed.signature.length !== 64 || !verify(null, Buffer.from(base, 'utf8'), key, parsed.signature)) {
      throw new Error('the Ed25519 signature does not verify');
    }
    return { ok: true, label: parsed.label, keyId, created, nonce, alg, components: parsed.components };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
