import type { Capability } from '../capability.ts';
import { webRoutes } from './routes.ts';

/** The hosted pages: checkout and friend pay. */
export const webCapability: Capability = { name: 'web', routes: (app) => webRoutes(app) };
