import { type Capability, periodicWorkerOf } from '../capability.ts';
import { evidenceProblemCodes, evidenceRoutes } from './evidence-routes.ts';
import { liabilityRoutes } from './liability-routes.ts';
import { disputeRoutes, disputesProblemCodes } from './routes.ts';
import { passDeadlines } from './service.ts';

/** A minute is fine against deadlines counted in days; tests drive it with `runOnce`. */
const deadlineIntervalMs = 60_000;

/** Disputes and chargebacks between an issuer and an acquirer, with deadlines and the operator's ruling. */
export const disputesCapability: Capability = {
  name: 'disputes',
  routes: (app, ctx) => {
    disputeRoutes(app, ctx);
    liabilityRoutes(app, ctx);
    evidenceRoutes(app, ctx);
  },
  workers: (ctx) => [periodicWorkerOf(ctx, 'dispute-deadlines', deadlineIntervalMs, passDeadlines)],
  problemCodes: { ...disputesProblemCodes, ...evidenceProblemCodes },
  events: [
    'dispute.created',
    'dispute.accepted',
    'dispute.contested',
    'dispute.withdrawn',
    'dispute.escalated',
    'dispute.won_by_issuer',
    'dispute.won_by_acquirer',
  ],
};
