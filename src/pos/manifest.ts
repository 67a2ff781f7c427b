import type { Capability } from '../capability.ts';
import { startPeriodicWorker } from '../platform/index.ts';
import { reversalWorkerIntervalMs } from './model.ts';
import { posProblemCodes, posRoutes } from './routes.ts';
import { reverseDueCharges } from './service.ts';

/** Tills charging any wallet's payment code, with reversal when no answer comes. */
export const posCapability: Capability = {
  name: 'pos',
  routes: posRoutes,
  workers: (ctx) => [
    startPeriodicWorker(
      'pos-reversals',
      reversalWorkerIntervalMs,
      async () => void (await reverseDueCharges(ctx)),
      ctx.logger,
    ),
  ],
  problemCodes: posProblemCodes,
  events: [
    'pos_charge.succeeded',
    'pos_charge.declined',
    'pos_charge.reversed',
    'payment.succeeded',
    'authorization.reversed',
  ],
};
