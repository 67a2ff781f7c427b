import type { Capability } from '../capability.ts';
import { merchantRoutes } from './routes.ts';
import { merchantCallerOf } from './service.ts';

/** Merchants under their acquirers, with the keys their servers call with. */
export const merchantsCapability: Capability = {
  name: 'merchants',
  routes: merchantRoutes,
  bearerCaller: merchantCallerOf,
};
