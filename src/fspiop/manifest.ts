import { type Capability, periodicWorkerOf } from '../capability.ts';
import { createPaymentService } from '../payments/index.ts';
import { settleMessages } from './callbacks.ts';
import { fspiopRoutes } from './protocol-routes.ts';
import { dfspRoutes, fspiopProblemCodes, outboundRoutes } from './routes.ts';
import { expireTransfers } from './transfers.ts';

/** How often reserved FSPIOP transfers past their expiration are aborted. */
export const expiryIntervalMs = 1_000;

/** Mojaloop DFSPs join unchanged: the FSPIOP 1.1 switch side, beside the hub's own signed API. */
export const fspiopCapability: Capability = {
  name: 'fspiop',
  routes: (app, ctx, wiring) => {
    dfspRoutes(app, ctx);
    outboundRoutes(app, ctx);
    // A DFSP pays a Lintas merchant as a wallet does: through every capability's payment sources.
    fspiopRoutes(app, ctx, createPaymentService(wiring.paymentSources));
  },
  workers: (ctx) => [
    periodicWorkerOf(ctx, 'fspiop-expiry', expiryIntervalMs, expireTransfers),
    // Stopping waits for the messages still on their way, so nothing is sent after the database closes.
    { name: 'fspiop-messages', runOnce: () => settleMessages(ctx), stop: () => settleMessages(ctx) },
  ],
  problemCodes: fspiopProblemCodes,
};
