import { type Capability, periodicWorkerOf } from '../capability.ts';
import { refundRoutes, refundsProblemCodes } from './routes.ts';
import { confirmAcknowledgedRefunds } from './service.ts';

const refundConfirmationIntervalMs = 2_000;

/** Partial and full refunds, with the issuer told to credit its user. */
export const refundsCapability: Capability = {
  name: 'refunds',
  routes: refundRoutes,
  workers: (ctx) => [
    periodicWorkerOf(ctx, 'refund-confirmations', refundConfirmationIntervalMs, confirmAcknowledgedRefunds),
  ],
  problemCodes: refundsProblemCodes,
  events: ['refund.created', 'refund.posted', 'refund.succeeded', 'payment.refunded'],
};
