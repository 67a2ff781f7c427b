import type { Capability } from '../capability.ts';
import { statementRoutes } from './routes.ts';

/** Each institution's statement of its own transfers. */
export const statementsCapability: Capability = { name: 'statements', routes: statementRoutes };
