import type { Capability } from '../capability.ts';
import { batchRoutes } from './batch.ts';
import { paymentRoutes, paymentsProblemCodes } from './routes.ts';
import { createPaymentService } from './service.ts';

/** What a wallet resolves and pays, whatever its source (checkout, placard, till QR). */
export const paymentsCapability: Capability = {
  name: 'payments',
  routes: (app, ctx, wiring) => {
    const payments = createPaymentService(wiring.paymentSources);
    paymentRoutes(app, ctx, payments);
    batchRoutes(app, ctx, payments);
  },
  problemCodes: paymentsProblemCodes,
};
