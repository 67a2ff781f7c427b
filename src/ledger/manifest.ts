import type { Capability } from '../capability.ts';
import { registerLedgerCommands } from './cli.ts';
import { ledgerRoutes } from './routes.ts';

/** The double-entry ledger, positions and net debit caps, and `lintas ledger check`. */
export const ledgerCapability: Capability = {
  name: 'ledger',
  routes: ledgerRoutes,
  commands: (program) => registerLedgerCommands(program),
  events: ['position.threshold'],
};
