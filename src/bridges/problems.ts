import type { ProblemCodes } from '../capability.ts';

/** What the bridges refuse, beside the HTTP layer's own signature codes. */
export const bridgesProblemCodes: ProblemCodes = {
  bridge_resource_invalid: [400, "The notification's resource does not decrypt with the channel's APIv3 key"],
  bridge_key_unknown: [401, 'The wallet signed with a platform key not registered for it'],
  bridge_clock_skew: [401, "The wallet's signed message is more than 300 s off the hub's clock"],
  not_a_bridged_wallet: [409, 'The wallet is not reached through a bridge'],
  bridge_payment_refused: [409, 'The hub refused the payment the bridged wallet reported'],
  bridge_credentials_refused: [422, "The bridged wallet refused the merchant's credentials"],
  bridge_unavailable: [502, 'The bridged wallet did not answer'],
  bridge_answer_unverified: [502, "The bridged wallet's answer did not verify"],
  bridge_wallet_error: [502, 'The bridged wallet refused the call'],
  bridge_refund_pending: [503, 'The bridged wallet is still processing the refund'],
};
