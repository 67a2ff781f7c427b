import type { HubContext } from '../context.ts';
import { HttpTransportError, checkOutboundUrl, createSignedHttpClient, requestTimeoutMsMax } from '../http/index.ts';
import { ensureHubKey } from '../hub/index.ts';
import { verifyParticipantAnswer } from '../participants/index.ts';
import {
  type AuthorizationAnswer,
  type AuthorizationRequest,
  authorizationTimeoutMsMin,
  judgeAnswer,
} from './model.ts';

/** A wallet is asked at `callbackUrl` + `/authorizations`. */
export function authorizationsUrlOf(callbackUrl: string): string {
  const url = new URL(callbackUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/authorizations`;
  return url.toString();
}

/** What is left of the deadline by the hub's clock, in whole milliseconds. */
function remainingMs(ctx: HubContext, deadline: string): number {
  return Math.floor(Date.parse(deadline) - ctx.clock.now().getTime());
}

/**
 * Sends the signed `POST {callbackUrl}/authorizations` and reads the answer,
 * outside any transaction. The HTTP timeout is what remains of the deadline,
 * so a slow DNS lookup or signer eats into the wallet's time, never past it.
 * The authorization id is also the Idempotency-Key: a wallet seeing it twice
 * answers the same. The answer is taken only when the wallet signed it
 * (RFC 9421, `@status`, `content-digest`, `content-type`) with one of its
 * own active keys, and when it names what was asked. Never throws for the
 * wallet's failings: no answer, a refused URL, a transport error, an
 * unsigned or forged answer all come back as `no_answer`.
 */
export async function askWallet(
  ctx: HubContext,
  wallet: { id: string; callbackUrl: string },
  request: AuthorizationRequest,
): Promise<AuthorizationAnswer> {
  const url = authorizationsUrlOf(wallet.callbackUrl);
  const allowed = await checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls });
  if (!allowed.ok) return { kind: 'no_answer', why: allowed.detail };
  const key = await ensureHubKey(ctx);
  const client = createSignedHttpClient({
    http: ctx.http,
    keyId: key.keyId,
    privateKey: key.privateKey,
    now: () => ctx.clock.now(),
  });
  const timeoutMs = Math.min(remainingMs(ctx, request.deadline), requestTimeoutMsMax);
  if (timeoutMs < authorizationTimeoutMsMin)
    return { kind: 'no_answer', why: 'the deadline passed before the wallet could be asked' };
  try {
    const response = await client.postJson(url, request, { timeoutMs, idempotencyKey: request.authorizationId });
    const signed = await verifyParticipantAnswer(ctx, wallet.id, response);
    if (!signed.ok) return { kind: 'no_answer', why: `the answer is not signed by the wallet (${signed.detail})` };
    return judgeAnswer(request, response);
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'no_answer', why: `${error.kind}: ${error.message}` };
    throw error;
  }
}
