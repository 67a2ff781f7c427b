import type { Capability } from '../capability.ts';
import { transferRoutes } from './routes.ts';

/** Transfers between participants: what a wallet sends to pay. */
export const transfersCapability: Capability = {
  name: 'transfers',
  routes: transferRoutes,
  events: ['transfer.committed'],
};
