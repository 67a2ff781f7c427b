import type { Capability } from '../capability.ts';
import { registerSettleCommands } from './cli.ts';
import { settlementProblemCodes, settlementRoutes } from './routes.ts';
import { startSettlementWorker } from './worker.ts';

/** Settlement windows: cutoffs, net reports and settling. */
export const settlementCapability: Capability = {
  name: 'settlement',
  routes: settlementRoutes,
  workers: (ctx) => [startSettlementWorker(ctx)],
  commands: (program) => registerSettleCommands(program),
  problemCodes: settlementProblemCodes,
};
