import { type Capability, periodicWorkerOf } from '../capability.ts';
import { followDueOrders, wechatpayProvider } from './orders.ts';
import { bridgesProblemCodes } from './problems.ts';
import { bridgeRoutes } from './routes.ts';

const bridgeOrdersIntervalMs = 5_000;

/** Wallets that do not call the hub, reached through their own merchant API (WeChat Pay API v3). */
export const bridgesCapability: Capability = {
  name: 'bridges',
  routes: bridgeRoutes,
  workers: (ctx) => [periodicWorkerOf(ctx, 'bridge-orders', bridgeOrdersIntervalMs, followDueOrders)],
  bridgeProviders: [wechatpayProvider],
  problemCodes: bridgesProblemCodes,
};
