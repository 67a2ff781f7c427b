import type { Capability } from '../capability.ts';
import { hubRoutes } from './routes.ts';
import { ensureHubKey } from './service.ts';

/** The hub's own identity: its signing key and JWKS. */
export const hubCapability: Capability = {
  name: 'hub',
  prepare: async (ctx) => void (await ensureHubKey(ctx)),
  routes: hubRoutes,
};
