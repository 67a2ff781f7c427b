import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { HubContext } from '../context.ts';
import { fromJson, inTransaction, lockNamed, toJson } from '../db/index.ts';
import { generateEd25519KeyPair, publicKeyToJwk } from '../http/index.ts';
import { newId, openSecret, sealSecret, invariant } from '../platform/index.ts';

export type HubSigner = { keyId: string; privateKey: KeyObject };

/**
 * The hub's own Ed25519 key pair, made on first start. The private key is
 * stored sealed under the master key; several processes starting at once
 * agree on one key through a named lock.
 */
export async function ensureHubKey(ctx: HubContext): Promise<HubSigner> {
  const existing = await activeHubKey(ctx);
  if (existing) return existing;
  await inTransaction(ctx.db, async (tx) => {
    await lockNamed(tx, 'hub_keys');
    const row = await tx.selectFrom('hub_keys').select('kid').where('status', '=', 'active').executeTakeFirst();
    if (row) return;
    const at = ctx.clock.now();
    const kid = newId('hubkey', at, ctx.random);
    const pair = generateEd25519KeyPair();
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await tx
      .insertInto('hub_keys')
      .values({
        kid,
        public_jwk: toJson(publicKeyToJwk(pair.publicKey, kid)),
        sealed_private_key: sealSecret(pem, ctx.config.masterKey, ctx.random),
        status: 'active',
        created_at: at.toISOString(),
      })
      .execute();
  });
  const created = await activeHubKey(ctx);
  invariant(created !== undefined, 'the hub key exists right after it was made');
  return created;
}

async function activeHubKey(ctx: HubContext): Promise<HubSigner | undefined> {
  const row = await ctx.db.kysely
    .selectFrom('hub_keys')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  const pem = openSecret(row.sealed_private_key, ctx.config.masterKey);
  return { keyId: row.kid, privateKey: createPrivateKey(pem.reveal()) };
}

/** Public keys as a JWKS, so participants verify the hub's callbacks. */
export async function hubJwks(ctx: HubContext): Promise<{ keys: Record<string, unknown>[] }> {
  const rows = await ctx.db.kysely
    .selectFrom('hub_keys')
    .select(['public_jwk'])
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
  return { keys: rows.map((row) => fromJson<Record<string, unknown>>(row.public_jwk)) };
}
