import { createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hubComponentsFor,
  referenceContentDigest,
  referenceSign,
  referenceVerify,
  type ReferenceRequest,
  type ReferenceSignOptions,
} from '../testing/rfc9421-reference-signer.ts';
import { generateEd25519KeyPair } from './jwk.ts';
import { signRequest } from './sign-request.ts';
import {
  nonceRetentionMarginSeconds,
  signatureMaxAgeSeconds,
  verifySignedRequest,
  type IncomingSignedRequest,
  type SignatureKeyRecord,
  type SignatureRefusal,
  type SignatureVerifierPorts,
} from './signatures.ts';

const participant = generateEd25519KeyPair();
const stranger = generateEd25519KeyPair();
const keyId = 'key_par_wallet_1';
const revokedKeyId = 'key_par_wallet_0';
const participantId = 'par_wallet';
const clockStart = new Date('2026-01-05T02:00:00.000Z');
const createdAt = clockStart.getTime() / 1000;

type Wire = ReferenceRequest;

function createEnv() {
  const keys = new Map<string, SignatureKeyRecord>([
    [keyId, { keyId, participantId, status: 'active', publicKey: participant.publicKey }],
    [revokedKeyId, { keyId: revokedKeyId, participantId, status: 'revoked', publicKey: participant.publicKey }],
  ]);
  const nonces = new Map<string, Date>();
  const nonceCalls: { keyId: string; nonce: string; expiresAt: Date }[] = [];
  let now = clockStart;
  const ports: SignatureVerifierPorts = {
    findKey: async (id) => keys.get(id),
    useNonce: async (id, nonce, expiresAt) => {
      nonceCalls.push({ keyId: id, nonce, expiresAt });
      if (nonces.has(`${id} ${nonce}`)) return false;
      nonces.set(`${id} ${nonce}`, expiresAt);
      return true;
    },
    now: () => now,
  };
  const advanceSeconds = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  return { keys, nonces, nonceCalls, ports, advanceSeconds };
}
type Env = ReturnType<typeof createEnv>;

/** The request as a Node server would hand it over. */
function toIncoming(wire: Wire): IncomingSignedRequest {
  const url = new URL(wire.url);
  return {
    method: wire.method,
    authority: url.host,
    path: url.pathname,
    query: url.search === '' ? '?' : url.search,
    headers: Object.fromEntries(Object.entries(wire.headers).map(([name, value]) => [name.toLowerCase(), value])),
    body: wire.body === undefined ? undefined : Buffer.from(wire.body),
  };
}

const transferBody = JSON.stringify({
  checkoutId: 'chk_1',
  amount: { amount: 1999, currency: 'CNY' },
  payer: { ref: 'w-778' },
});

function transferRequest(): Wire {
  return {
    method: 'POST',
    url: 'https://hub.example/v1/transfers?expand=checkout&mode=live',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'idem-4f1c' },
    body: transferBody,
  };
}

let nonceCounter = 0;
function freshNonce(): string {
  nonceCounter += 1;
  return `nonce-${nonceCounter}-${Math.random().toString(36).slice(2)}`;
}

/** Signs with the independent reference signer; overrides craft requests the hub must refuse. */
function referenceSigned(wire: Wire, overrides: Partial<ReferenceSignOptions> = {}): Wire {
  const signed = referenceSign(wire, {
    keyId,
    privateKey: participant.privateKey,
    created: createdAt,
    nonce: freshNonce(),
    alg: true,
    ...overrides,
  });
  return { ...wire, headers: { ...wire.headers, ...signed.headers } };
}

async function hubSigned(wire: Wire, nonce?: string): Promise<Wire> {
  const added = await signRequest(wire, {
    keyId,
    privateKey: participant.privateKey,
    now: () => clockStart,
    ...(nonce ? { nonce } : {}),
  });
  return { ...wire, headers: { ...wire.headers, ...added } };
}

function withHeaders(wire: Wire, change: (headers: Record<string, string>) => void): Wire {
  const headers = { ...wire.headers };
  change(headers);
  return { ...wire, headers };
}

function flipLastSignatureByte(wire: Wire): Wire {
  return withHeaders(wire, (headers) => {
    const match = /^(\w+)=:(.*):$/.exec(headers.signature ?? '');
    if (!match?.[2]) throw new Error('no signature to flip');
    const bytes = Buffer.from(match[2], 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    headers.signature = `${match[1]}=:${bytes.toString('base64')}:`;
  });
}

describe('verifySignedRequest refusals, in the order they are checked', () => {
  type Row = {
    code: SignatureRefusal;
    name: string;
    detail: RegExp;
    request: () => Wire;
    arrange?: (env: Env) => void;
  };
  const replayedNonce = 'nonce-seen-before-1';

  const rows: Row[] = [
    // 1. signature_missing
    { code: 'signature_missing', name: 'no signature headers at all', detail: /missing/, request: transferRequest },
    {
      code: 'signature_missing',
      name: 'Signature-Input without Signature',
      detail: /Signature header is missing/,
      request: () => withHeaders(referenceSigned(transferRequest()), (h) => delete h.signature),
    },
    {
      code: 'signature_missing',
      name: 'Signature without Signature-Input',
      detail: /Signature-Input header is missing/,
      request: () => withHeaders(referenceSigned(transferRequest()), (h) => delete h['signature-input']),
    },
    // 2. signature_invalid: the form, before any key or clock
    {
      code: 'signature_invalid',
      name: 'Signature-Input is not a structured dictionary',
      detail: /structured dictionaries/,
      request: () =>
        withHeaders(referenceSigned(transferRequest()), (h) => (h['signature-input'] = 'sig1=("@method" "@path"')),
    },
    {
      code: 'signature_invalid',
      name: 'Signature-Input over the length limit',
      detail: /at most 4096/,
      request: () => referenceSigned(transferRequest(), { extraParams: { tag: 'x'.repeat(4100) } }),
    },
    {
      code: 'signature_invalid',
      name: 'two signatures',
      detail: /exactly one signature/,
      request: () => {
        const wire = transferRequest();
        const first = referenceSign(wire, {
          keyId,
          privateKey: participant.privateKey,
          created: createdAt,
          nonce: freshNonce(),
          label: 'sig1',
        });
        const second = referenceSign(wire, {
          keyId,
          privateKey: participant.privateKey,
          created: createdAt,
          nonce: freshNonce(),
          label: 'sig2',
        });
        return withHeaders(wire, (h) => {
          Object.assign(h, first.headers);
          h['signature-input'] = `${first.headers['signature-input']}, ${second.headers['signature-input']}`;
          h.signature = `${first.headers.signature}, ${second.headers.signature}`;
        });
      },
    },
    {
      code: 'signature_invalid',
      name: 'Signature and Signature-Input labels differ',
      detail: /no member labelled sig1/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) => (h.signature = (h.signature ?? '').replace(/^sig1=/, 'other=')),
        ),
    },
    {
      code: 'signature_invalid',
      name: 'Signature-Input member is an item, not an inner list',
      detail: /inner list/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) => (h['signature-input'] = 'sig1="@method";created=1;keyid="k";nonce="n"'),
        ),
    },
    {
      code: 'signature_invalid',
      name: 'signature is a string, not a byte sequence',
      detail: /byte sequence of 64 bytes/,
      request: () => withHeaders(referenceSigned(transferRequest()), (h) => (h.signature = 'sig1="c2lnbmF0dXJl"')),
    },
    {
      code: 'signature_invalid',
      name: 'signature of 63 bytes',
      detail: /byte sequence of 64 bytes/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) => (h.signature = `sig1=:${Buffer.alloc(63, 7).toString('base64')}:`),
        ),
    },
    {
      code: 'signature_invalid',
      name: 'created missing',
      detail: /created is required/,
      request: () => referenceSigned(transferRequest(), { created: undefined }),
    },
    {
      code: 'signature_invalid',
      name: 'keyid missing',
      detail: /keyid is required/,
      request: () => referenceSigned(transferRequest(), { keyId: undefined }),
    },
    {
      code: 'signature_invalid',
      name: 'nonce missing',
      detail: /nonce is required/,
      request: () => referenceSigned(transferRequest(), { nonce: undefined }),
    },
    {
      code: 'signature_invalid',
      name: 'nonce over 128 characters',
      detail: /nonce is required/,
      request: () => referenceSigned(transferRequest(), { nonce: 'n'.repeat(129) }),
    },
    {
      code: 'signature_invalid',
      name: 'alg other than ed25519',
      detail: /alg must be "ed25519"/,
      request: () => referenceSigned(transferRequest(), { alg: false, extraParams: { alg: 'rsa-pss-sha512' } }),
    },
    {
      code: 'signature_invalid',
      name: '@query not covered',
      detail: /must cover "@query"/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: ['@method', '@authority', '@path', 'content-digest', 'content-type', 'idempotency-key'],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'content-digest present but not covered',
      detail: /must cover "content-digest"/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: ['@method', '@authority', '@path', '@query', 'content-type', 'idempotency-key'],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'content-type present but not covered',
      detail: /must cover "content-type"/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: ['@method', '@authority', '@path', '@query', 'content-digest', 'idempotency-key'],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'idempotency-key present but not covered',
      detail: /must cover "idempotency-key"/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'a parameter on a component',
      detail: /component parameters are not supported/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) => (h['signature-input'] = (h['signature-input'] ?? '').replace('"content-type"', '"content-type";sf')),
        ),
    },
    {
      code: 'signature_invalid',
      name: 'an uppercase component name',
      detail: /lowercase/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) => (h['signature-input'] = (h['signature-input'] ?? '').replace('"content-type"', '"Content-Type"')),
        ),
    },
    {
      code: 'signature_invalid',
      name: 'an unsupported derived component',
      detail: /"@target-uri" is not supported/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: [...hubComponentsFor({ ...transferRequest().headers, 'content-digest': 'x' }), '@target-uri'],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'a component covered twice',
      detail: /covered twice/,
      request: () =>
        referenceSigned(transferRequest(), {
          components: ['@method', ...hubComponentsFor({ ...transferRequest().headers, 'content-digest': 'x' })],
        }),
    },
    {
      code: 'signature_invalid',
      name: 'a covered header the request does not carry',
      detail: /"x-trace-id" is not in the request/,
      request: () => {
        const wire = withHeaders(transferRequest(), (h) => (h['x-trace-id'] = 'trace-1'));
        const components = [
          ...hubComponentsFor({ ...wire.headers, 'content-digest': 'x' }).filter((c) => c !== 'x-trace-id'),
          'x-trace-id',
        ];
        return withHeaders(referenceSigned(wire, { components }), (h) => delete h['x-trace-id']);
      },
    },
    ...['constructor', '__proto__'].map(
      (name): Row => ({
        code: 'signature_invalid',
        name: `a covered header named like an Object property (${name})`,
        detail: new RegExp(`"${name}" is not in the request`),
        request: () =>
          withHeaders(
            referenceSigned(transferRequest()),
            (h) => (h['signature-input'] = (h['signature-input'] ?? '').replace('(', `("${name}" `)),
          ),
      }),
    ),
    {
      code: 'signature_invalid',
      name: 'a missing component wins over an unknown key and a stale created',
      detail: /must cover "@query"/,
      request: () =>
        referenceSigned(transferRequest(), {
          keyId: 'key_nobody',
          created: createdAt - 3600,
          components: ['@method', '@authority', '@path', 'content-digest', 'content-type', 'idempotency-key'],
        }),
    },
    // 3. signature_expired
    {
      code: 'signature_expired',
      name: 'created 301 s ago',
      detail: /301 s old/,
      request: () => referenceSigned(transferRequest(), { created: createdAt - signatureMaxAgeSeconds - 1 }),
    },
    {
      code: 'signature_expired',
      name: 'created 31 s in the future',
      detail: /31 s in the future/,
      request: () => referenceSigned(transferRequest(), { created: createdAt + 31 }),
    },
    {
      code: 'signature_expired',
      name: 'expires has passed',
      detail: /expires/,
      request: () => referenceSigned(transferRequest(), { created: createdAt - 10, expires: createdAt - 1 }),
    },
    {
      code: 'signature_expired',
      name: 'a stale signature wins over an unknown key',
      detail: /old/,
      request: () => referenceSigned(transferRequest(), { keyId: 'key_nobody', created: createdAt - 600 }),
    },
    // 4. key_unknown
    {
      code: 'key_unknown',
      name: 'keyid not registered',
      detail: /key_nobody/,
      request: () => referenceSigned(transferRequest(), { keyId: 'key_nobody' }),
    },
    {
      code: 'key_unknown',
      name: 'an unknown key wins over a tampered body',
      detail: /key_nobody/,
      request: () => ({ ...referenceSigned(transferRequest(), { keyId: 'key_nobody' }), body: '{"amount":1}' }),
    },
    // 5. key_revoked
    {
      code: 'key_revoked',
      name: 'key revoked',
      detail: /revoked/,
      request: () => referenceSigned(transferRequest(), { keyId: revokedKeyId }),
    },
    {
      code: 'key_revoked',
      name: 'a revoked key wins over a tampered body',
      detail: /revoked/,
      request: () => ({ ...referenceSigned(transferRequest(), { keyId: revokedKeyId }), body: '{"amount":1}' }),
    },
    // 6. digest_mismatch
    {
      code: 'digest_mismatch',
      name: 'a body without Content-Digest',
      detail: /must send Content-Digest/,
      request: () => {
        const { body, ...withoutBody } = transferRequest();
        return { ...referenceSigned(withoutBody), body };
      },
    },
    {
      code: 'digest_mismatch',
      name: 'body changed after signing',
      detail: /sha-256 does not match/,
      request: () => ({ ...referenceSigned(transferRequest()), body: transferBody.replace('1999', '199900') }),
    },
    {
      code: 'digest_mismatch',
      name: 'Content-Digest names only an unknown algorithm',
      detail: /no supported algorithm/,
      request: () =>
        referenceSigned(
          withHeaders(transferRequest(), (h) => (h['content-digest'] = 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:')),
        ),
    },
    {
      code: 'digest_mismatch',
      name: 'a bad digest wins over a bad signature',
      detail: /does not match/,
      request: () => flipLastSignatureByte({ ...referenceSigned(transferRequest()), body: '{}' }),
    },
    // 7. signature_invalid: the signature itself
    {
      code: 'signature_invalid',
      name: 'signed with another private key',
      detail: /does not verify/,
      request: () => referenceSigned(transferRequest(), { privateKey: stranger.privateKey }),
    },
    {
      code: 'signature_invalid',
      name: 'a signature byte flipped',
      detail: /does not verify/,
      request: () => flipLastSignatureByte(referenceSigned(transferRequest())),
    },
    {
      code: 'signature_invalid',
      name: 'path changed after signing',
      detail: /does not verify/,
      request: () => ({
        ...referenceSigned(transferRequest()),
        url: 'https://hub.example/v1/refunds?expand=checkout&mode=live',
      }),
    },
    {
      code: 'signature_invalid',
      name: 'query changed after signing',
      detail: /does not verify/,
      request: () => ({
        ...referenceSigned(transferRequest()),
        url: 'https://hub.example/v1/transfers?expand=checkout&mode=test',
      }),
    },
    {
      code: 'signature_invalid',
      name: 'query removed after signing',
      detail: /does not verify/,
      request: () => ({ ...referenceSigned(transferRequest()), url: 'https://hub.example/v1/transfers' }),
    },
    {
      code: 'signature_invalid',
      name: 'authority changed after signing',
      detail: /does not verify/,
      request: () => ({
        ...referenceSigned(transferRequest()),
        url: 'https://other-hub.example/v1/transfers?expand=checkout&mode=live',
      }),
    },
    {
      code: 'signature_invalid',
      name: 'method changed after signing',
      detail: /does not verify/,
      request: () => ({ ...referenceSigned(transferRequest()), method: 'PUT' }),
    },
    {
      code: 'signature_invalid',
      name: 'idempotency-key changed after signing',
      detail: /does not verify/,
      request: () => withHeaders(referenceSigned(transferRequest()), (h) => (h['idempotency-key'] = 'idem-other')),
    },
    {
      code: 'signature_invalid',
      name: 'content-type changed after signing',
      detail: /does not verify/,
      request: () => withHeaders(referenceSigned(transferRequest()), (h) => (h['content-type'] = 'text/plain')),
    },
    {
      code: 'signature_invalid',
      name: 'nonce changed after signing',
      detail: /does not verify/,
      request: () =>
        withHeaders(
          referenceSigned(transferRequest()),
          (h) =>
            (h['signature-input'] = (h['signature-input'] ?? '').replace(/nonce="[^"]*"/, 'nonce="swapped-nonce"')),
        ),
    },
    // 8. nonce_reused
    {
      code: 'nonce_reused',
      name: 'nonce already used with this key',
      detail: /already used/,
      request: () => referenceSigned(transferRequest(), { nonce: replayedNonce }),
      arrange: (env) => env.nonces.set(`${keyId} ${replayedNonce}`, clockStart),
    },
  ];

  it.each(rows)('$code: $name', async ({ code, detail, request, arrange }) => {
    const env = createEnv();
    arrange?.(env);
    const verdict = await verifySignedRequest(toIncoming(request()), env.ports);
    expect(verdict).toEqual({ ok: false, code, detail: expect.stringMatching(detail) });
    // Only a request whose signature verified may record its nonce.
    expect(env.nonceCalls).toHaveLength(code === 'nonce_reused' ? 1 : 0);
  });

  it('lists the rows in precedence order', () => {
    const precedence: SignatureRefusal[] = [
      'signature_missing',
      'signature_invalid',
      'signature_expired',
      'key_unknown',
      'key_revoked',
      'digest_mismatch',
      'signature_invalid',
      'nonce_reused',
    ];
    let stage = 0;
    for (const row of rows) {
      while (precedence[stage] !== row.code) {
        stage += 1;
        if (stage >= precedence.length) throw new Error(`row "${row.name}" is out of order`);
      }
    }
  });
});

describe('verifySignedRequest accepts', () => {
  const cases: { name: string; request: () => Wire | Promise<Wire>; advanceSeconds?: number }[] = [
    {
      name: 'a POST with query, JSON body and idempotency key, signed by the hub signer',
      request: () => hubSigned(transferRequest()),
    },
    {
      name: 'a GET without body or query, signed by the hub signer',
      request: () => hubSigned({ method: 'GET', url: 'https://hub.example/v1/transfers/trf_1', headers: {} }),
    },
    { name: 'a POST signed by the independent reference signer', request: () => referenceSigned(transferRequest()) },
    {
      name: 'a signature without alg (optional in RFC 9421)',
      request: () => referenceSigned(transferRequest(), { alg: false }),
    },
    {
      name: 'extra covered headers',
      request: () =>
        referenceSigned(
          withHeaders(transferRequest(), (h) => (h.date = 'Mon, 05 Jan 2026 02:00:00 GMT')),
          { components: [...hubComponentsFor({ ...transferRequest().headers, 'content-digest': 'x' }), 'date'] },
        ),
    },
    { name: 'a created exactly 300 s old', request: () => referenceSigned(transferRequest()), advanceSeconds: 300 },
    {
      name: 'a created 30 s ahead of the hub clock',
      request: () => referenceSigned(transferRequest()),
      advanceSeconds: -30,
    },
    { name: 'an unexpired expires', request: () => referenceSigned(transferRequest(), { expires: createdAt + 60 }) },
    {
      name: 'a port with a non-default port number in the authority',
      request: () => hubSigned({ ...transferRequest(), url: 'https://hub.example:8443/v1/transfers' }),
    },
    {
      name: 'an empty query string ("?")',
      request: () => hubSigned({ ...transferRequest(), url: 'https://hub.example/v1/transfers?' }),
    },
  ];

  it.each(cases)('$name', async ({ request, advanceSeconds }) => {
    const env = createEnv();
    env.advanceSeconds(advanceSeconds ?? 0);
    const verdict = await verifySignedRequest(toIncoming(await request()), env.ports);
    expect(verdict).toEqual({ ok: true, keyId, participantId });
  });

  it('headers as Node may give them: mixed case, repeated values, undefined', async () => {
    const wire = await hubSigned(transferRequest());
    const incoming = toIncoming(wire);
    incoming.headers = { ...incoming.headers, 'Content-Type': undefined, 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] };
    incoming.headers['IDEMPOTENCY-KEY'] = incoming.headers['idempotency-key'];
    delete incoming.headers['idempotency-key'];
    expect(await verifySignedRequest(incoming, createEnv().ports)).toMatchObject({ ok: true });
  });

  it('an empty body needs no Content-Digest', async () => {
    const wire = await hubSigned({
      method: 'POST',
      url: 'https://hub.example/v1/settlement/windows/win_1/close',
      headers: { 'idempotency-key': 'idem-close' },
    });
    const incoming = { ...toIncoming(wire), body: Buffer.alloc(0) };
    expect(await verifySignedRequest(incoming, createEnv().ports)).toMatchObject({ ok: true });
  });
});

describe('verifySignedRequest answers every input with a verdict, never an exception', () => {
  const valid = referenceSigned(transferRequest());
  const validInput = valid.headers['signature-input'] ?? '';
  const componentName = fc.oneof(
    fc.constantFrom(
      'constructor',
      '__proto__',
      'prototype',
      'hasownproperty',
      'signature',
      'signature-input',
      '@signature-params',
      '@status',
      '@query-param',
    ),
    fc.stringMatching(/^@?[a-z_*-]{0,12}$/),
  );
  const paramValue = fc.oneof(
    fc.integer(),
    fc.constantFrom('1.5', 'tok', '?1', ':AAAA:', '@1700000000', '"s"', '%"h%c3%a9"', '-0'),
  );

  it('for arbitrary header text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), async (input, signature) => {
        const verdict = await verifySignedRequest(
          toIncoming(withHeaders(valid, (h) => Object.assign(h, { 'signature-input': input, signature }))),
          createEnv().ports,
        );
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('for a valid signature with an extra component or parameter spliced in', async () => {
    await fc.assert(
      fc.asyncProperty(
        componentName,
        fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
        paramValue,
        async (component, key, value) => {
          const input = `${validInput.replace('(', `("${component}" `)};${key}=${value}`;
          const verdict = await verifySignedRequest(
            toIncoming(withHeaders(valid, (h) => (h['signature-input'] = input))),
            createEnv().ports,
          );
          expect(verdict).toMatchObject({ ok: false, code: 'signature_invalid' });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('nonces', () => {
  it('records the nonce until created + max age + margin, and refuses its replay', async () => {
    const env = createEnv();
    const request = toIncoming(await hubSigned(transferRequest(), 'nonce-once-0001'));
    expect(await verifySignedRequest(request, env.ports)).toMatchObject({ ok: true });
    expect(env.nonceCalls).toEqual([
      {
        keyId,
        nonce: 'nonce-once-0001',
        expiresAt: new Date((createdAt + signatureMaxAgeSeconds + nonceRetentionMarginSeconds) * 1000),
      },
    ]);
    expect(await verifySignedRequest(request, env.ports)).toMatchObject({ ok: false, code: 'nonce_reused' });
  });

  it('a forged copy sent first does not burn the genuine request nonce', async () => {
    const env = createEnv();
    const genuine = await hubSigned(transferRequest(), 'nonce-race-0001');
    const forged = { ...genuine, body: transferBody.replace('1999', '1') };
    const forgedWithDigest = withHeaders(forged, (h) => (h['content-digest'] = referenceContentDigest(forged.body)));
    expect(await verifySignedRequest(toIncoming(forgedWithDigest), env.ports)).toMatchObject({
      ok: false,
      code: 'signature_invalid',
    });
    expect(await verifySignedRequest(toIncoming(genuine), env.ports)).toMatchObject({ ok: true });
  });

  it('the same nonce under another key is another nonce', async () => {
    const env = createEnv();
    const otherKeyId = 'key_par_other';
    env.keys.set(otherKeyId, {
      keyId: otherKeyId,
      participantId: 'par_other',
      status: 'active',
      publicKey: stranger.publicKey,
    });
    const first = referenceSigned(transferRequest(), { nonce: 'shared-nonce-1' });
    const second = referenceSigned(transferRequest(), {
      nonce: 'shared-nonce-1',
      keyId: otherKeyId,
      privateKey: stranger.privateKey,
    });
    expect(await verifySignedRequest(toIncoming(first), env.ports)).toEqual({ ok: true, keyId, participantId });
    expect(await verifySignedRequest(toIncoming(second), env.ports)).toEqual({
      ok: true,
      keyId: otherKeyId,
      participantId: 'par_other',
    });
  });
});

describe('time and keys move', () => {
  it('a signature accepted now is expired 301 s later on the injected clock', async () => {
    const env = createEnv();
    const wire = referenceSigned(transferRequest());
    env.advanceSeconds(signatureMaxAgeSeconds + 1);
    expect(await verifySignedRequest(toIncoming(wire), env.ports)).toMatchObject({
      ok: false,
      code: 'signature_expired',
    });
  });

  it('a key revoked after signing refuses the request', async () => {
    const env = createEnv();
    const record = env.keys.get(keyId);
    if (!record) throw new Error('fixture key missing');
    expect(await verifySignedRequest(toIncoming(referenceSigned(transferRequest())), env.ports)).toMatchObject({
      ok: true,
    });
    env.keys.set(keyId, { ...record, status: 'revoked' });
    expect(await verifySignedRequest(toIncoming(referenceSigned(transferRequest())), env.ports)).toMatchObject({
      ok: false,
      code: 'key_revoked',
    });
  });

  it('a key store that answers for another keyid is a bug, not a refusal', async () => {
    const env = createEnv();
    const ports = { ...env.ports, findKey: async () => env.keys.get(revokedKeyId) };
    await expect(verifySignedRequest(toIncoming(referenceSigned(transferRequest())), ports)).rejects.toThrow(
      /returned key/,
    );
  });
});

describe('signRequest', () => {
  it('covers the required components and only the conditional headers present', async () => {
    const withBody = await signRequest(transferRequest(), {
      keyId,
      privateKey: participant.privateKey,
      now: () => clockStart,
      nonce: 'n-1',
    });
    expect(withBody['signature-input']).toBe(
      `sig=("@method" "@authority" "@path" "@query" "content-digest" "content-type" ` +
        `"idempotency-key");created=${createdAt};keyid="${keyId}";nonce="n-1";alg="ed25519"`,
    );
    expect(withBody['content-digest']).toMatch(/^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    const bare = await signRequest(
      { method: 'GET', url: 'https://hub.example/v1/hub/keys', headers: {} },
      { keyId, privateKey: participant.privateKey, now: () => clockStart, nonce: 'n-2' },
    );
    expect(Object.keys(bare).sort()).toEqual(['signature', 'signature-input']);
    expect(bare['signature-input']).toMatch(/^sig=\("@method" "@authority" "@path" "@query"\);/);
  });

  it('draws a new nonce for every request', async () => {
    const sign = () =>
      signRequest(transferRequest(), { keyId, privateKey: participant.privateKey, now: () => clockStart });
    const nonces = await Promise.all([sign(), sign(), sign()]).then((all) =>
      all.map((h) => /nonce="([^"]+)"/.exec(h['signature-input'] ?? '')?.[1]),
    );
    expect(new Set(nonces).size).toBe(3);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a public key and headers it computes itself', async () => {
    const key = { keyId, now: () => clockStart };
    await expect(signRequest(transferRequest(), { ...key, privateKey: participant.publicKey })).rejects.toThrow(
      /private key/,
    );
    const withDigest = withHeaders(transferRequest(), (h) => (h['Content-Digest'] = 'sha-256=:AA==:'));
    await expect(signRequest(withDigest, { ...key, privateKey: participant.privateKey })).rejects.toThrow(
      /content-digest/,
    );
  });
});

describe('interoperability with the independent RFC 9421 reference', () => {
  // RFC 9421 Appendix B.1.4 test-key-ed25519 and Appendix B.2 test-request.
  const rfcPrivateKey = createPrivateKey(
    '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END ' +
      'PRIVATE KEY-----\n',
  );
  const rfcRequest: ReferenceRequest = {
    method: 'POST',
    url: 'https://example.com/foo?param=Value&Pet=dog',
    headers: {
      Host: 'example.com',
      Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'Content-Type': 'application/json',
      'Content-Digest':
        'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
      'Content-Length': '18',
    },
  };
  const rfcComponents = ['date', '@method', '@path', '@authority', 'content-type', 'content-length'];

  it('the reference signer reproduces RFC 9421 B.2.6 byte for byte', () => {
    const signed = referenceSign(rfcRequest, {
      keyId: 'test-key-ed25519',
      privateKey: rfcPrivateKey,
      created: 1618884473,
      components: rfcComponents,
      label: 'sig-b26',
    });
    expect(signed.signatureBase).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" ' +
          '"content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
    expect(signed.headers).toEqual({
      'signature-input':
        'sig-b26=("date" "@method" "@path" "@authority" "content-type" ' +
        '"content-length");created=1618884473;keyid="test-key-ed25519"',
      signature: 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:',
    });
  });

  it('the reference verifier accepts the RFC 9421 B.2.6 message, and the hub refuses it by policy', async () => {
    const headers = {
      ...rfcRequest.headers,
      'Signature-Input':
        'sig-b26=("date" "@method" "@path" "@authority" "content-type" ' +
        '"content-length");created=1618884473;keyid="test-key-ed25519"',
      Signature: 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:',
    };
    const verdict = referenceVerify(
      { ...rfcRequest, headers },
      { resolveKey: () => createPublicKey(rfcPrivateKey), requiredComponents: ['@method', '@path', '@authority'] },
    );
    expect(verdict).toMatchObject({ ok: true, keyId: 'test-key-ed25519', created: 1618884473 });
    const hub = await verifySignedRequest(toIncoming({ ...rfcRequest, headers }), createEnv().ports);
    expect(hub).toMatchObject({
      ok: false,
      code: 'signature_invalid',
      detail: expect.stringMatching(/nonce is required/),
    });
  });

  it('the hub signer and the reference signer write the same headers for the same inputs', async () => {
    const wire = transferRequest();
    const hub = await signRequest(wire, {
      keyId,
      privateKey: participant.privateKey,
      now: () => clockStart,
      nonce: 'same-nonce-1',
    });
    const reference = referenceSign(wire, {
      keyId,
      privateKey: participant.privateKey,
      created: createdAt,
      nonce: 'same-nonce-1',
      alg: true,
      label: 'sig',
    });
    expect(hub).toEqual(reference.headers);
  });

  const requests: { name: string; wire: () => Wire }[] = [
    { name: 'a POST with a query string, a JSON body and an Idempotency-Key', wire: transferRequest },
    {
      name: 'a GET without body or query',
      wire: () => ({ method: 'GET', url: 'https://hub.example/v1/checkouts/chk_1', headers: {} }),
    },
    {
      name: 'a query with encoded characters',
      wire: () => ({ ...transferRequest(), url: 'https://hub.example/v1/transfers?q=a%20b&x=%E2%9C%93' }),
    },
  ];

  it.each(requests)('library signer → reference verifier: $name', async ({ wire }) => {
    const signed = await hubSigned(wire(), 'lib-to-ref-nonce');
    const verdict = referenceVerify(signed, {
      resolveKey: (id) => (id === keyId ? participant.publicKey : undefined),
      now: clockStart,
    });
    expect(verdict).toMatchObject({ ok: true, keyId, created: createdAt, nonce: 'lib-to-ref-nonce', alg: 'ed25519' });
    if (verdict.ok) expect(verdict.components).toEqual(hubComponentsFor(signed.headers));
  });

  it.each(requests)('reference signer → hub verifier: $name', async ({ wire }) => {
    const verdict = await verifySignedRequest(toIncoming(referenceSigned(wire())), createEnv().ports);
    expect(verdict).toEqual({ ok: true, keyId, participantId });
  });

  it('the reference verifier is not a yes-man: it refuses a hub-signed request changed in flight', async () => {
    const signed = await hubSigned(transferRequest());
    const resolveKey = () => participant.publicKey;
    expect(referenceVerify({ ...signed, url: 'https://hub.example/v1/transfers' }, { resolveKey })).toMatchObject({
      ok: false,
      reason: /does not verify/,
    });
    expect(referenceVerify({ ...signed, body: '{}' }, { resolveKey })).toMatchObject({
      ok: false,
      reason: /content-digest/,
    });
    expect(referenceVerify(signed, { resolveKey: () => stranger.publicKey })).toMatchObject({
      ok: false,
      reason: /does not verify/,
    });
    expect(referenceVerify(signed, { resolveKey, now: new Date(clockStart.getTime() + 301_000) })).toMatchObject({
      ok: false,
      reason: /old/,
    });
  });
});
