import type { Capability } from '../capability.ts';
import { registerPlacardCommand } from './cli.ts';
import { placardPaymentSource, tillQrPaymentSource } from './payment-sources.ts';
import { placardRoutes } from './routes.ts';

/** Static placards and dynamic till QRs: one code at the till that every wallet pays. */
export const placardsCapability: Capability = {
  name: 'placards',
  routes: placardRoutes,
  commands: (program, tools) => registerPlacardCommand(program, tools),
  paymentSources: [placardPaymentSource, tillQrPaymentSource],
  events: ['payment.succeeded', 'pos_qr.paid', 'pos_qr.canceled'],
};
