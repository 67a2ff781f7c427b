import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signRequest } from './http/index.ts';
import { eventCatalogue } from './openapi/index.ts';
import {
  type Receiver,
  type TestHub,
  type TestParticipant,
  createParticipant,
  referenceSign,
  startReceiver,
  startTestHub,
  verifyWebhook,
} from './testing/index.ts';
import { type TestMerchant, approveChannel, createMerchant, payCheckoutByQr } from './testing/world.ts';

/**
 * The guides in docs/ are followed literally: the merchant guide's curl
 * commands run in bash against a running hub, with its shell variables set,
 * and each answer (and the webhook) has the shape and values the guide shows,
 * ids, times and secrets aside; the participant guide's worked signature is
 * remade byte for byte by the hub's signer and an independent one, and the
 * hub, its clock at `created`, verifies it and answers what the guide says.
 */
type Marked = { marks: Record<string, string>; blocks: { lang: string; text: string }[] };

/** Each `<!-- guide: k=v ... -->` mark with the fenced blocks that follow it, up to the next mark. */
function marked(file: string): Marked[] {
  const text = readFileSync(new URL(`../docs/${file}`, import.meta.url), 'utf8');
  return text
    .split(/^<!-- guide: /m)
    .slice(1)
    .map((part) => {
      const [head = '', rest = ''] = part.split(/ -->\n/, 2);
      const marks = Object.fromEntries(head.split(' ').map((pair) => pair.split('=', 2) as [string, string]));
      const blocks = [...rest.matchAll(/^```(\w*)\n([\s\S]*?)\n```$/gm)].map((match) => ({
        lang: match[1] as string,
        text: match[2] as string,
      }));
      return { marks, blocks };
    });
}

function markedWith(all: Marked[], key: string, value: string): Marked {
  const found = all.find((one) => one.marks[key] === value);
  if (!found) throw new Error(`the guide has no block marked ${key}=${value}`);
  return found;
}

// ---------------------------------------------------------------- the merchant guide

/** Values the guide shows that differ on every run, by what they look like. */
const variable: [RegExp, RegExp][] = [
  [/^([a-z]+)_[0-9a-z]{26}$/, /^[a-z]+_[0-9a-z]{26}$/],
  [/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/],
  [/^whsec_/, /^whsec_/],
  [/^cs_/, /^cs_/],
  [/^\d{12}$/, /^\d{12}$/],
];

/** Where `actual` differs from what the guide shows, ids, times and secrets compared by their form. */
function differences(shown: unknown, actual: unknown, substitutions: Map<string, string>, at = ''): string[] {
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual) || actual.length !== shown.length) return [`${at}: ${JSON.stringify(actual)}`];
    return shown.flatMap((item, index) => differences(item, actual[index], substitutions, `${at}/${index}`));
  }
  if (typeof shown === 'object' && shown !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${at}: ${JSON.stringify(actual)}`];
    const keys = [...new Set([...Object.keys(shown), ...Object.keys(actual)])];
    return keys.flatMap((key) =>
      differences(
        (shown as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        substitutions,
        `${at}/${key}`,
      ),
    );
  }
  if (typeof shown === 'string') {
    const form = variable.find(([pattern]) => pattern.test(shown));
    if (form) {
      const prefix = /^([a-z]+)_[0-9a-z]{26}$/.exec(shown)?.[1];
      const same = typeof actual === 'string' && form[1].test(actual) && (!prefix || actual.startsWith(`${prefix}_`));
      return same ? [] : [`${at}: ${JSON.stringify(actual)} is not like ${shown}`];
    }
    let expected = shown;
    for (const [from, to] of substitutions) expected = expected.replace(from, to);
    if (expected.startsWith(substitutions.get('https://hub.example') ?? '\0') && typeof actual === 'string')
      return actual.split(/chk_|#/)[0] === expected.split(/chk_|#/)[0] ? [] : [`${at}: ${actual}`];
    return actual === expected ? [] : [`${at}: ${JSON.stringify(actual)}, the guide shows ${JSON.stringify(expected)}`];
  }
  return actual === shown ? [] : [`${at}: ${JSON.stringify(actual)}, the guide shows ${JSON.stringify(shown)}`];
}

/** Runs a step's command in bash, asynchronously: the hub answering it runs in this process. */
async function runStep(step: Marked, env: Record<string, string>): Promise<unknown> {
  const command = step.blocks.find((block) => block.lang === 'sh');
  if (!command) throw new Error(`step ${step.marks.step} has no sh block`);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', command.text], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout);
}

function shownAnswer(step: Marked): unknown {
  const answer = step.blocks.find((block) => block.lang === 'json');
  if (!answer) throw new Error(`step ${JSON.stringify(step.marks)} shows no answer`);
  return JSON.parse(answer.text);
}

describe('the merchant guide, followed literally', () => {
  let hub: TestHub;
  let wallet: TestParticipant;
  let merchant: TestMerchant;
  let receiver: Receiver;

  beforeAll(async () => {
    hub = await startTestHub();
    receiver = await startReceiver(hub.clock);
    const acquirer = await createParticipant(hub, { name: 'Bank Pelangi', roles: ['acquirer'], currencies: ['IDR'] });
    wallet = await createParticipant(hub, {
      name: 'Dompet Nusantara',
      roles: ['issuer'],
      currencies: ['IDR'],
      netDebitCaps: { IDR: 100_000_000_000 },
      appSwitchUrlTemplate: 'dompet://pay?token={token}',
    });
    merchant = await createMerchant(hub, acquirer, {
      name: 'Toko Kopi Senja',
      city: 'Jakarta',
      country: 'ID',
      currency: 'IDR',
      mcc: '5814',
    });
    await approveChannel(merchant, wallet);
  });
  afterAll(async () => {
    await receiver?.close();
    await hub?.stop();
  });

  test('checkout, redirect, webhook, refund: every answer is the one the guide shows', async () => {
    const steps = marked('merchant-guide.md');
    const env: Record<string, string> = {
      HUB: hub.url,
      MERCHANT_KEY: merchant.secretKey,
      WEBHOOK_URL: receiver.url,
    };
    const substitutions = new Map([
      ['https://shop.example/lintas/webhooks', receiver.url],
      ['https://hub.example', hub.url],
    ]);
    const follow = async (name: string): Promise<Record<string, unknown>> => {
      const step = markedWith(steps, 'step', name);
      const answer = (await runStep(step, env)) as Record<string, unknown>;
      expect(differences(shownAnswer(step), answer, substitutions), name).toEqual([]);
      const [variableName, field] = (step.marks.saves ?? '').split(':') as [string, string];
      env[variableName] = String(answer[field]);
      return answer;
    };

    await follow('endpoint');
    const checkout = (await follow('checkout')) as { id: string; clientSecret: string; hostedUrl: string };
    expect(checkout.hostedUrl).toBe(`${hub.url}/checkout/${checkout.id}#cs=${checkout.clientSecret}`);
    const paid = await payCheckoutByQr(hub, checkout, wallet, 'dompet-tx-000417');
    expect(paid.status).toBe(201);

    await expect.poll(() => receiver.requests.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const webhook = receiver.requests.find((one) => JSON.parse(one.body).type === 'checkout.paid');
    expect(webhook).toBeDefined();
    const event = verifyWebhook(env.ENDPOINT_SECRET as string, webhook as NonNullable<typeof webhook>);
    expect(differences(shownAnswer(markedWith(steps, 'webhook', 'checkout.paid')), event, substitutions)).toEqual([]);
    type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema> };
    const documented = (await fetch(`${hub.url}/openapi.json`).then((answer) => answer.json())) as {
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: Schema }> } } }>;
      components: { schemas: Record<string, Schema> };
    };
    const fieldsOf = (schema: Schema): string[] => {
      if (schema.$ref) return fieldsOf(documented.components.schemas[schema.$ref.split('/').at(-1) ?? ''] ?? {});
      return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(fieldsOf)];
    };
    const body = documented.webhooks['webhook checkout.paid']?.post.requestBody.content['application/json']?.schema;
    const fields = fieldsOf(body?.properties?.data ?? {});
    const undocumented = Object.keys((event as { data: object }).data).filter((field) => !fields.includes(field));
    expect(undocumented, 'every field of the webhook is in /openapi.json').toEqual([]);

    await follow('paid');
    await follow('refund');
  }, 60_000);
});

// ---------------------------------------------------------------- the participant guide's worked signature

function blockOf(all: Marked[], name: string): string {
  const block = markedWith(all, 'signing', name).blocks[0];
  if (!block) throw new Error(`the worked example has no ${name} block`);
  return block.text;
}

type ShownRequest = { method: string; path: string; headers: Record<string, string>; body: string };

function parseHttp(text: string): ShownRequest {
  const [head = '', body = ''] = text.split('\n\n', 2);
  const [start = '', ...lines] = head.split('\n');
  const [method = '', path = ''] = start.split(' ');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(': ');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 2)];
    }),
  );
  return { method, path, headers, body };
}

function send(hub: TestHub, shown: ShownRequest, signed: Record<string, string>) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const port = Number(new URL(hub.url).port);
    const outgoing = request(
      { host: '127.0.0.1', port, method: shown.method, path: shown.path, headers: { ...shown.headers, ...signed } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(shown.body);
  });
}

describe("the participant guide's worked signature", () => {
  const all = marked('participant-guide.md');
  const privateKey = createPrivateKey(blockOf(all, 'private-key'));
  const registered = JSON.parse(blockOf(all, 'public-jwk')) as { kid: string; jwk: Record<string, string> };
  const shown = parseHttp(blockOf(all, 'request'));
  const parameters = Object.fromEntries(
    blockOf(all, 'parameters')
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  const created = Number(parameters.created);
  const signedHeaders = parseHttp(`X / HTTP/1.1\n${blockOf(all, 'headers')}`).headers;
  const url = `https://${shown.headers.host}${shown.path}`;
  const { host: _host, ...sentHeaders } = shown.headers;

  test("the public key is the private key's", () => {
    expect(createPublicKey(privateKey).export({ format: 'jwk' })).toEqual(registered.jwk);
    expect(registered.kid).toBe(parameters.keyid);
  });

  test('an independent signer makes the digest, the signature base and the headers byte for byte', () => {
    const signed = referenceSign(
      { method: shown.method, url, headers: sentHeaders, body: shown.body },
      { keyId: parameters.keyid, privateKey, created, nonce: parameters.nonce, alg: true, label: 'sig' },
    );
    expect(signed.headers['content-digest']).toBe(blockOf(all, 'content-digest'));
    expect(signed.signatureBase).toBe(blockOf(all, 'signature-base'));
    expect(signed.headers).toEqual(signedHeaders);
  });

  test("the hub's own signer makes the same headers", async () => {
    const signed = await signRequest(
      { method: shown.method, url, headers: sentHeaders, body: shown.body },
      { keyId: parameters.keyid as string, privateKey, now: () => new Date(created * 1000), nonce: parameters.nonce },
    );
    expect(signed).toEqual(signedHeaders);
  });

  test('a hub that knows the key, its clock at created, verifies it and answers what the guide shows', async () => {
    const hub = await startTestHub();
    try {
      await createParticipant(hub, { roles: ['issuer'], currencies: ['IDR'], publicKeys: [registered] });
      hub.clock.set(new Date(created * 1000));
      const answer = await send(hub, shown, signedHeaders);
      expect(answer.body).toEqual(JSON.parse(blockOf(all, 'answer')));
      const again = await send(hub, shown, signedHeaders);
      expect(again.status, 'the nonce is spent: the same bytes again are refused').toBe(401);
    } finally {
      await hub.stop();
    }
  });
});

// ---------------------------------------------------------------- the events page

describe('docs/events.md', () => {
  const text = readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8');

  test('lists every event the hub sends, to the receivers it sends it to', () => {
    const sentAs = {
      merchant: 'merchant webhook',
      participant: 'participant callback',
      both: 'merchant webhook and participant callback',
    };
    const rows = new Map(
      text
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .map((cells) => [cells[1]?.replaceAll('`', ''), cells[2]]),
    );
    const missing = Object.entries(eventCatalogue).filter(([type, entry]) => rows.get(type) !== sentAs[entry.audience]);
    expect(missing.map(([type]) => type)).toEqual([]);
  });

  test('every body it shows is JSON', () => {
    const bodies = [...text.matchAll(/^```json\n([\s\S]*?)\n```$/gm)].map((match) => match[1] as string);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(() => JSON.parse(body)).not.toThrow();
  });
});

// ---------------------------------------------------------------- nothing points outside the repository

describe('the README and docs/', () => {
  const root = new URL('../', import.meta.url);
  const files = [
    'README.md',
    ...readdirSync(new URL('docs/', root))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  test('every relative link names a file in the repository', () => {
    const broken: string[] = [];
    let links = 0;
    for (const file of files) {
      const text = readFileSync(new URL(file, root), 'utf8');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        links += 1;
        const resolved = new URL(target.split('#')[0] as string, new URL(file, root));
        if (!resolved.href.startsWith(root.href) || !existsSync(resolved)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
    expect(links).toBeGreaterThan(30);
  });

  test('the contract is not said to live outside it', () => {
    const outside = files.filter((file) => /DESIGN\.md|STYLE\.md/.test(readFileSync(new URL(file, root), 'utf8')));
    expect(outside).toEqual([]);
  });
});
