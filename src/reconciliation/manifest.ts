import type { Capability } from '../capability.ts';
import { reconciliationRoutes } from './routes.ts';

/** An institution's own records matched against the hub's. */
export const reconciliationCapability: Capability = { name: 'reconciliation', routes: reconciliationRoutes };
