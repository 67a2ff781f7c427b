import type { Capability } from '../capability.ts';
import { startPeriodicWorker } from '../platform/index.ts';
import { refundRoutes, refundsProblemCodes } from './routes.ts';
import { confirmAcknowledgedRefunds } from './service.ts';

const refundConfirmationIntervalMs = 2_000;

/** Partial and full refunds, with the issuer told to credit its user. */
export const refundsCapability: Capability = {
  name: 'refunds',
  routes: refundRoutes,
  workers: (ctx) => [
    startPeriodicWorker(
      'refund-confirmations',
      refundConfirmationIntervalMs,
      async () => void (await confirmAcknowledgedRefunds(ctx)),
      ctx.logger,
    ),
  ],
  problemCodes: refundsProblemCodes,
  events: ['refund.created', 'refund.succeeded', 'payment.refunded'],
};
