import type { Capability } from '../capability.ts';
import { feeRoutes } from './routes.ts';

/** Fee schedules: what the hub and the acquirer take from each payment. */
export const feesCapability: Capability = { name: 'fees', routes: feeRoutes };
