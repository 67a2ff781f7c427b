/**
 * The hub signs the FSPIOP messages it makes itself (FSPIOP-Source `lintas`: its errors, the oracle's
 * answers, a Lintas merchant's party, quote and transfer, a Lintas wallet's quote and transfer) as a DFSP
 * signs: Mojaloop's JWS, RS256 over the body as sent. A DFSP that checks every inbound signature
 * (VALIDATE_INBOUND_JWS) is given the public key (`GET /v1/fspiop/jws-key`) as its `lintas.pem`.
 * The key pair is made on first use and kept, the private half sealed under the master key.
 */
import { type KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { openSecret, sealSecret } from '../platform/index.ts';
import { jwsAlgorithm } from './jws.ts';

const keyName = 'jws';
const rsaBits = 2048;

type HubKey = { privateKey: KeyObject; publicKey: string };

const loaded = new WeakMap<HubContext, Promise<HubKey>>();

async function loadOrMake(ctx: HubContext): Promise<HubKey> {
  const read = () =>
    ctx.db.kysely.selectFrom('fspiop_hub_keys').selectAll().where('name', '=', keyName).executeTakeFirst();
  let row = await read();
  if (!row) {
    const pair = generateKeyPairSync('rsa', { modulusLength: rsaBits });
    const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const made = {
      name: keyName,
      private_key_sealed: sealSecret(privatePem, ctx.config.masterKey, ctx.random),
      public_key: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      created_at: ctx.clock.now().toISOString(),
    };
    // Two first uses at once: the second's insert does nothing and both read the first's key.
    await inTransaction(ctx.db, (tx) =>
      tx
        .insertInto('fspiop_hub_keys')
        .values(made)
        .onConflict((conflict) => conflict.column('name').doNothing())
        .execute(),
    );
    row = await read();
  }
  if (!row) throw new Error('the hub JWS key was neither found nor made');
  return {
    privateKey: createPrivateKey(openSecret(row.private_key_sealed, ctx.config.masterKey).reveal()),
    publicKey: row.public_key,
  };
}

function hubKeyOf(ctx: HubContext): Promise<HubKey> {
  let key = loaded.get(ctx);
  if (!key) {
    key = loadOrMake(ctx);
    key.catch(() => loaded.delete(ctx));
    loaded.set(ctx, key);
  }
  return key;
}

/** The PEM a DFSP verifies the hub's messages with. */
export async function hubPublicKey(ctx: HubContext): Promise<string> {
  return (await hubKeyOf(ctx)).publicKey;
}

/** The headers that sign a message the hub makes: FSPIOP-URI, FSPIOP-HTTP-Method, FSPIOP-Signature. */
export async function hubSignature(
  ctx: HubContext,
  message: { method: string; path: string; headers: Readonly<Record<string, string>>; body: string },
): Promise<Record<string, string>> {
  const method = message.method.toUpperCase();
  const claims = {
    alg: jwsAlgorithm,
    'FSPIOP-URI': message.path,
    'FSPIOP-HTTP-Method': method,
    'FSPIOP-Source': message.headers['fspiop-source'],
    'FSPIOP-Destination': message.headers['fspiop-destination'],
    Date: message.headers.date,
  };
  const token = await new CompactSign(new TextEncoder().encode(message.body))
    .setProtectedHeader(claims)
    .sign((await hubKeyOf(ctx)).privateKey);
  const [protectedHeader, , signature] = token.split('.');
  return {
    'fspiop-uri': message.path,
    'fspiop-http-method': method,
    'fspiop-signature': JSON.stringify({ signature, protectedHeader }),
  };
}
