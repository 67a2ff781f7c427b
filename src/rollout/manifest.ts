import type { Capability } from '../capability.ts';
import { checkoutSettingsRoutes, rolloutRoutes } from './routes.ts';

/** Which methods a buyer is offered: the merchant's settings and gradual rollout rules. */
export const rolloutCapability: Capability = {
  name: 'rollout',
  routes: (app, ctx) => {
    checkoutSettingsRoutes(app, ctx);
    rolloutRoutes(app, ctx);
  },
};
