import type { MoneyParticipant } from '../ledger/fixtures.test-support.ts';
import { minor } from '../money/index.ts';
import type { PaymentInput } from './index.ts';

/** A checkout payment from one money participant to another's merchant, in CNY unless `extra` says otherwise. */
export function paymentOf(
  payer: MoneyParticipant,
  payee: MoneyParticipant,
  amount: number,
  extra: Partial<PaymentInput> = {},
): PaymentInput {
  return {
    payerId: payer.id,
    payeeId: payee.id,
    merchantId: payee.merchantId,
    amount: minor(amount),
    currency: 'CNY',
    source: 'checkout',
    ...extra,
  };
}
