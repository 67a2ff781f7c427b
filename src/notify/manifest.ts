import type { Capability } from '../capability.ts';
import { startDeliveryWorker } from './lanes.ts';
import { notifyMetricsOf } from './metrics.ts';
import { notifyProblemCodes, notifyRoutes } from './routes.ts';

/** Webhook endpoints, webhook and callback deliveries, and the event feed. */
export const notifyCapability: Capability = {
  name: 'notify',
  routes: notifyRoutes,
  workers: (ctx) => [startDeliveryWorker(ctx)],
  problemCodes: notifyProblemCodes,
  metrics: (ctx) => notifyMetricsOf(ctx).collectors,
};
