/**
 * DFSPs, the oracle of party identifiers, and the routing of lookups and
 * quotes between DFSPs. Lintas adds nothing to a party or a quote: they go
 * to the DFSP that owns the party or that FSPIOP-Destination names, and its
 * answer back to the one that asked.
 */
import type { HubContext } from '../context.ts';
import { inTransaction } from '../db/index.ts';
import { type Caller, actorOf } from '../http/index.ts';
import { findMerchant } from '../merchants/index.ts';
import { findParticipant } from '../participants/index.ts';
import { type Result, invariant, ok, refuse } from '../platform/index.ts';
import { type OutboundMessage, dispatch } from './callbacks.ts';
import { jwsKeyRefusal } from './jws.ts';
import { type FspiopErrorCode, type FspiopResource, errorInformationOf, hubFspId } from './model.ts';
import * as store from './store.ts';
import type { Dfsp, PartyKey } from './store.ts';

export type DfspInput = {
  participantId: string;
  callbackUrl: string;
  currencies: string[];
  merchantId: string;
  jwsPublicKey?: string;
};

export type DfspRefusal = 'not_found' | 'fspiop_merchant_invalid' | 'fspiop_jws_key_invalid';

/** The operator makes a participant a DFSP, or changes where and in what it is reached. */
export async function registerDfsp(
  ctx: HubContext,
  caller: Caller,
  fspId: string,
  input: DfspInput,
): Promise<Result<Dfsp, DfspRefusal>> {
  const participant = await findParticipant(ctx.db.kysely, input.participantId);
  if (!participant) return refuse('not_found', `participant ${input.participantId} was not found`);
  const merchant = await findMerchant(ctx.db.kysely, input.merchantId);
  if (merchant?.acquirerId !== participant.id) {
    return refuse('fspiop_merchant_invalid', `merchant ${input.merchantId} is not one of ${participant.id}'s own`);
  }
  const keyRefusal = input.jwsPublicKey === undefined ? undefined : jwsKeyRefusal(input.jwsPublicKey);
  if (keyRefusal) return refuse('fspiop_jws_key_invalid', `jwsPublicKey is ${keyRefusal}`);
  return ok(
    await inTransaction(ctx.db, async (tx) => {
      const before = (await store.findDfsp(tx, fspId)) ?? null;
      const at = ctx.clock.now().toISOString();
      const dfsp: Dfsp = {
        fspId,
        participantId: input.participantId,
        callbackUrl: input.callbackUrl,
        currencies: [...new Set(input.currencies)],
        merchantId: input.merchantId,
        jwsPublicKey: input.jwsPublicKey ?? null,
        createdAt: before?.createdAt ?? at,
        updatedAt: at,
      };
      invariant(
        before === null || before.participantId === dfsp.participantId,
        `fspId ${fspId} stays with participant ${before?.participantId}`,
      );
      await store.upsertDfsp(tx, dfsp);
      await ctx.audit(tx, {
        actor: actorOf(caller),
        action: before ? 'fspiop_dfsp.updated' : 'fspiop_dfsp.registered',
        objectType: 'fspiop_dfsp',
        objectId: fspId,
        before,
        after: dfsp,
      });
      return dfsp;
    }),
  );
}

/** The DFSP a request comes from, by its FSPIOP-Source, while its participant is active. */
export async function sourceDfsp(ctx: HubContext, fspId: string | undefined): Promise<Dfsp | undefined> {
  if (fspId === undefined) return undefined;
  const dfsp = await store.findDfsp(ctx.db.kysely, fspId);
  if (!dfsp) return undefined;
  const participant = await findParticipant(ctx.db.kysely, dfsp.participantId);
  return participant?.status === 'active' ? dfsp : undefined;
}

/** Tells a DFSP that the hub could not do what it asked: `PUT {path}/error`. */
export function sendError(
  ctx: HubContext,
  to: Dfsp,
  resource: FspiopResource,
  path: string,
  code: FspiopErrorCode,
  detail?: string,
): void {
  dispatch(ctx, {
    method: 'put',
    resource,
    path: `${path}/error`,
    baseUrl: to.callbackUrl,
    source: hubFspId,
    destination: to.fspId,
    body: errorInformationOf(code, detail),
  });
}

function partyPath(resource: 'participants' | 'parties', key: PartyKey): string {
  const parts = [key.type, key.id, ...(key.subId === '' ? [] : [key.subId])].map(encodeURIComponent);
  return `/${resource}/${parts.join('/')}`;
}

function answerOwner(ctx: HubContext, to: Dfsp, key: PartyKey, fspId: string): void {
  dispatch(ctx, {
    method: 'put',
    resource: 'participants',
    path: partyPath('participants', key),
    baseUrl: to.callbackUrl,
    source: hubFspId,
    destination: to.fspId,
    body: { fspId },
  });
}

/** `POST /participants/{Type}/{ID}`: a DFSP says it holds a party; the oracle remembers it. */
export async function addParty(
  ctx: HubContext,
  source: Dfsp,
  key: PartyKey,
  body: { fspId: string; currency?: string },
): Promise<void> {
  const path = partyPath('participants', key);
  if (body.fspId !== source.fspId) {
    sendError(
      ctx,
      source,
      'participants',
      path,
      '3100',
      'a DFSP adds only its own parties (fspId is not FSPIOP-Source)',
    );
    return;
  }
  const added = await inTransaction(ctx.db, async (tx) => {
    const owner = await store.findPartyOwner(tx, key);
    if (owner) return owner.fsp_id === source.fspId;
    const at = ctx.clock.now().toISOString();
    const row = {
      party_type: key.type,
      party_id: key.id,
      party_sub_id: key.subId,
      fsp_id: source.fspId,
      currency: body.currency ?? null,
      created_at: at,
    };
    return store.insertParty(tx, row);
  });
  if (added) answerOwner(ctx, source, key, source.fspId);
  else sendError(ctx, source, 'participants', path, '3003', 'another DFSP already holds this party');
}

/** `GET /participants/{Type}/{ID}`: which DFSP holds the party. */
export async function findPartyOwner(ctx: HubContext, source: Dfsp, key: PartyKey): Promise<void> {
  const owner = await store.findPartyOwner(ctx.db.kysely, key);
  if (owner) answerOwner(ctx, source, key, owner.fsp_id);
  else sendError(ctx, source, 'participants', partyPath('participants', key), '3204');
}

/** `DELETE /participants/{Type}/{ID}`: the DFSP that holds a party gives it up. */
export async function removeParty(ctx: HubContext, source: Dfsp, key: PartyKey): Promise<void> {
  const removed = await inTransaction(ctx.db, (tx) => store.deleteParty(tx, key, source.fspId));
  if (removed) answerOwner(ctx, source, key, source.fspId);
  else sendError(ctx, source, 'participants', partyPath('participants', key), '3204');
}

/** `GET /parties/{Type}/{ID}`: asked of the DFSP that holds the party, on behalf of the one asking. */
export async function lookUpParty(
  ctx: HubContext,
  source: Dfsp,
  key: PartyKey,
  relayed: { forwarded: Readonly<Record<string, string | undefined>>; version: string },
): Promise<void> {
  const path = partyPath('parties', key);
  const owner = await store.findPartyOwner(ctx.db.kysely, key);
  const holder = owner && (await store.findDfsp(ctx.db.kysely, owner.fsp_id));
  if (!holder) {
    sendError(ctx, source, 'parties', path, '3204');
    return;
  }
  const message: OutboundMessage = {
    method: 'get',
    resource: 'parties',
    path,
    baseUrl: holder.callbackUrl,
    source: source.fspId,
    destination: holder.fspId,
    ...relayed,
  };
  dispatch(ctx, message, async (delivery) => {
    if (!delivery.delivered) sendError(ctx, source, 'parties', path, '1001', `${holder.fspId} ${delivery.detail}`);
  });
}

/**
 * Passes a message on to the DFSP that FSPIOP-Destination names, with the
 * sender's source and end-to-end headers untouched: a party's `PUT`, a quote
 * and its answers. An unknown destination is 3201 back to the sender.
 */
export async function forward(
  ctx: HubContext,
  source: Dfsp,
  message: Omit<OutboundMessage, 'baseUrl' | 'source'> & { errorPath: string },
): Promise<void> {
  const destination = await sourceDfsp(ctx, message.destination);
  if (!destination) {
    sendError(
      ctx,
      source,
      message.resource,
      message.errorPath,
      '3201',
      `${message.destination} is no DFSP of this hub`,
    );
    return;
  }
  const { errorPath, ...outbound } = message;
  dispatch(ctx, { ...outbound, baseUrl: destination.callbackUrl, source: source.fspId }, async (delivery) => {
    // An error callback that did not arrive has nowhere further to go.
    if (!delivery.delivered && !message.path.endsWith('/error')) {
      sendError(ctx, source, message.resource, errorPath, '1001', `${destination.fspId} ${delivery.detail}`);
    }
  });
}
