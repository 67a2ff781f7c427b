import { type Capability, periodicWorkerOf } from '../capability.ts';
import { reversalWorkerIntervalMs } from './model.ts';
import { posProblemCodes, posRoutes } from './routes.ts';
import { reverseDueCharges } from './service.ts';

/** Tills charging any wallet's payment code, with reversal when no answer comes. */
export const posCapability: Capability = {
  name: 'pos',
  routes: posRoutes,
  workers: (ctx) => [periodicWorkerOf(ctx, 'pos-reversals', reversalWorkerIntervalMs, reverseDueCharges)],
  problemCodes: posProblemCodes,
  events: [
    'pos_charge.succeeded',
    'pos_charge.declined',
    'pos_charge.reversed',
    'payment.succeeded',
    'authorization.reversed',
  ],
};
