import type { Capability } from '../capability.ts';
import { webRoutes } from './routes.ts';

/** The hosted pages (built from web/ by Vite): the index, checkout and friend pay, their assets and the icon. */
export const webCapability: Capability = { name: 'web', routes: (app, ctx) => webRoutes(app, ctx) };
