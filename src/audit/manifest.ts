import type { Capability } from '../capability.ts';
import { auditRoutes } from './routes.ts';

/** The audit trail, read by each party for its own objects. */
export const auditCapability: Capability = { name: 'audit', routes: auditRoutes };
