import type { HubContext } from '../context.ts';
import type { Caller } from '../http/index.ts';
import { type Result, ok, refuse } from '../platform/index.ts';
import { type Charge, type ChargeOutcomeRefusal, type ChargeView, chargeJson } from './model.ts';
import * as store from './store.ts';

// A charge as each party sees it: who may read it, and what its creation answers as it stands.

/**
 * What the till's request answers: 201 succeeded, 202 still waiting, or the refusal of a declined or reversed charge.
 */
export type ChargeOutcome = { httpStatus: 201 | 202; charge: ChargeView };

export function outcomeOf(charge: Charge): Result<ChargeOutcome, ChargeOutcomeRefusal> {
  switch (charge.status) {
    case 'succeeded':
      return ok({ httpStatus: 201, charge: chargeJson(charge) });
    case 'pending':
    case 'unknown':
      return ok({ httpStatus: 202, charge: chargeJson(charge) });
    case 'declined':
      return refuse(
        'payment_declined',
        `the wallet declined the payment${charge.declineReason ? `: ${charge.declineReason}` : ''}`,
        {
          chargeId: charge.id,
          reason: charge.declineReason,
        },
      );
    case 'reversed':
      return refuse('charge_reversed', `charge ${charge.id} was reversed`, {
        chargeId: charge.id,
        reversalReason: charge.reversalReason,
      });
    default: {
      const unknownStatus: never = charge.status;
      throw new Error(`unknown charge status ${String(unknownStatus)}`);
    }
  }
}

/** The merchant (its till), the charge's wallet and acquirer, and the operator see a charge. */
export function canSeeCharge(caller: Caller, charge: Pick<Charge, 'merchantId' | 'issuerId' | 'acquirerId'>): boolean {
  switch (caller.type) {
    case 'operator':
      return true;
    case 'merchant':
      return caller.id === charge.merchantId;
    case 'participant':
      return caller.id === charge.issuerId || caller.id === charge.acquirerId;
    case 'buyer':
      return false;
    default: {
      const unknownCaller: never = caller;
      throw new Error(`unknown caller ${JSON.stringify(unknownCaller)}`);
    }
  }
}

/** What a charge's creation answers as it stands now: the till's answer to a retry of it. */
export async function chargeOutcomeFor(
  ctx: HubContext,
  caller: Caller,
  id: string,
): Promise<Result<ChargeOutcome, ChargeOutcomeRefusal> | undefined> {
  const charge = await store.findCharge(ctx.db.kysely, id);
  return charge && canSeeCharge(caller, charge) ? outcomeOf(charge) : undefined;
}

export async function readCharge(ctx: HubContext, caller: Caller, id: string): Promise<ChargeView | undefined> {
  const charge = await store.findCharge(ctx.db.kysely, id);
  return charge && canSeeCharge(caller, charge) ? chargeJson(charge) : undefined;
}

export async function listChargesOf(
  ctx: HubContext,
  caller: Caller & { type: 'merchant' },
  filter: { reference?: string | undefined; limit: number; after?: string | undefined },
): Promise<ChargeView[]> {
  return (await store.listCharges(ctx.db.kysely, { ...filter, merchantId: caller.id })).map(chargeJson);
}
