// `lintas call --as <demo party | key file> METHOD PATH [json]`: one request to a hub, as one of its
// callers, and its answer. A participant's request is signed (RFC 9421, Ed25519) as the hub verifies it;
// a merchant or the operator sends its bearer token.
import { type KeyObject, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CommandRefusal, type ConfigInput, readSettings } from './config.ts';
import { readDemoState } from './demo/index.ts';
import { signRequest } from './http/index.ts';
import { cryptoRandom, newToken, systemClock } from './platform/index.ts';

/** Who a call is made as: a signing participant or a bearer of a token. */
export type CallIdentity =
  | { readonly kind: 'participant'; readonly keyId: string; readonly privateKey: KeyObject }
  | { readonly kind: 'bearer'; readonly token: string };

type CallFlags = ConfigInput & { as: string; hub?: string; keyId?: string; idempotencyKey?: string };

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Methods that may create or move something: the hub needs an Idempotency-Key on those routes, ignores it elsewhere. */
const changingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The parties `lintas demo` makes (src/demo/seed.ts). */
const demoNames = ['operator', 'merchant', 'lintas-pay', 'beta-wallet', 'gamma-wallet'];

export function registerCallCommand(program: Command): void {
  program
    .command('call')
    .description('send one request to a running hub as a demo party or with a key file, and print the answer')
    .requiredOption('--as <who>', `a demo party (${demoNames.join(', ')}; from <data>/demo.json) or a key file`)
    .option('--hub <url>', 'the hub (env LINTAS_HUB_URL; default LINTAS_PUBLIC_URL or http://127.0.0.1:8080)')
    .option('--key-id <id>', "the key's id, when --as is a PEM private key file")
    .option('--idempotency-key <key>', 'the Idempotency-Key to send (default: a new one, printed, to retry with)')
    .option('--data-dir <dir>', 'where demo.json and the operator token are (env LINTAS_DATA_DIR; default ./data)')
    .argument('<method>', methods.join(', '))
    .argument('<path>', 'the path, such as /v1/participants')
    .argument('[json]', 'the JSON body, or @file to read it from a file')
    .action(async (method: string, path: string, json: string | undefined, flags: CallFlags) => {
      const verb = method.toUpperCase();
      if (!(methods as readonly string[]).includes(verb))
        throw new CommandRefusal(`method "${method}" must be one of ${methods.join(', ')}`);
      if (!path.startsWith('/')) throw new CommandRefusal(`path "${path}" must start with /, such as /v1/participants`);
      const settings = readSettings({ dataDir: flags.dataDir }, process.env);
      const hub = (flags.hub ?? process.env.LINTAS_HUB_URL ?? settings.publicUrl).replace(/\/+$/, '');
      const identity = identityOf(flags, settings.dataDir);
      const body = bodyOf(json);
      const key = changingMethods.has(verb) ? (flags.idempotencyKey ?? newToken('cli_', cryptoRandom, 16)) : undefined;
      if (key !== undefined && flags.idempotencyKey === undefined) process.stderr.write(`Idempotency-Key: ${key}\n`);
      const answer = await sendCall(hub, { method: verb, path, body, idempotencyKey: key }, identity);
      process.stdout.write(`${answer.status} ${answer.statusText}\n${answer.shown}\n`);
      process.exitCode = answer.status < 400 ? 0 : 1;
    });
}

/** A demo party by name, else a file: JSON ({keyId, privateKeyPem} or {token}), a PEM key, or a token. */
export function identityOf(flags: Pick<CallFlags, 'as' | 'keyId'>, dataDir: string): CallIdentity {
  if (flags.as === 'operator') return operatorIdentity(dataDir);
  const demo = demoIdentity(flags.as, dataDir);
  if (demo !== undefined) return demo;
  if (!existsSync(flags.as)) {
    if (demoNames.includes(flags.as))
      throw new CommandRefusal(`no ${join(dataDir, 'demo.json')}: start \`lintas demo\` first, or give --data-dir`);
    throw new CommandRefusal(`--as "${flags.as}" is neither a demo party (${demoNames.join(', ')}) nor a file`);
  }
  const text = readFileSync(flags.as, 'utf8').trim();
  if (text.startsWith('{')) return identityFromJson(text, flags.as);
  if (text.startsWith('-----BEGIN')) {
    if (flags.keyId === undefined) throw new CommandRefusal(`${flags.as} is a PEM key: give its id with --key-id`);
    return participantOf(flags.keyId, text, flags.as);
  }
  return { kind: 'bearer', token: text };
}

function operatorIdentity(dataDir: string): CallIdentity {
  const file = join(dataDir, 'operator-token');
  const token = process.env.LINTAS_OPERATOR_TOKEN ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');
  if (token === '') throw new CommandRefusal(`no operator token: set LINTAS_OPERATOR_TOKEN, or give --data-dir`);
  return { kind: 'bearer', token };
}

/** The merchant or a wallet of demo.json, when there is one and it names `name`. */
function demoIdentity(name: string, dataDir: string): CallIdentity | undefined {
  const state = readDemoState(dataDir);
  if (state === undefined) return undefined;
  if (name === 'merchant') return { kind: 'bearer', token: state.merchant.secretKey };
  const wallet = state.wallets.find((candidate) => candidate.slug === name);
  return wallet && participantOf(wallet.keyId, wallet.privateKeyPem, `${wallet.name} in demo.json`);
}

function identityFromJson(text: string, file: string): CallIdentity {
  let parsed: { keyId?: unknown; privateKeyPem?: unknown; token?: unknown; secretKey?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CommandRefusal(`${file} is not valid JSON`);
  }
  if (typeof parsed.keyId === 'string' && typeof parsed.privateKeyPem === 'string')
    return participantOf(parsed.keyId, parsed.privateKeyPem, file);
  const token = parsed.token ?? parsed.secretKey;
  if (typeof token === 'string') return { kind: 'bearer', token };
  throw new CommandRefusal(`${file} holds neither {"keyId", "privateKeyPem"} nor {"token"}`);
}

function participantOf(keyId: string, pem: string, where: string): CallIdentity {
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
    return { kind: 'participant', keyId, privateKey };
  } catch {
    throw new CommandRefusal(`${where} holds no Ed25519 private key in PEM (PKCS #8)`);
  }
}

function bodyOf(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  const text = json.startsWith('@') ? readFileSync(json.slice(1), 'utf8') : json;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new CommandRefusal(`the body is not valid JSON: ${json.length > 60 ? `${json.slice(0, 60)}...` : json}`);
  }
}

export type CallRequest = {
  method: string;
  path: string;
  body: string | undefined;
  idempotencyKey: string | undefined;
};
export type CallAnswer = { status: number; statusText: string; shown: string };

/** Sends the request as `identity`: signed for a participant, with its bearer token otherwise. */
export async function sendCall(hub: string, request: CallRequest, identity: CallIdentity): Promise<CallAnswer> {
  const url = `${hub}${request.path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
  if (identity.kind === 'bearer') headers.authorization = `Bearer ${identity.token}`;
  else {
    const signing = { keyId: identity.keyId, privateKey: identity.privateKey, now: () => systemClock.now() };
    const message = {
      method: request.method,
      url,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    Object.assign(headers, await signRequest(message, signing));
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CommandRefusal(
      `cannot reach the hub at ${hub} (${cause?.code ?? cause?.message ?? String(error)}): is it running? ` +
        'Give its address with --hub (or LINTAS_HUB_URL)',
    );
  }
  const text = await response.text();
  return { status: response.status, statusText: response.statusText, shown: shownBody(text) };
}

function shownBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
