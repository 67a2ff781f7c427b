import { type Capability, periodicWorkerOf } from '../capability.ts';
import { checkoutPaymentSource } from './payment-source.ts';
import { checkoutRoutes } from './routes.ts';
import { buyerCallerOf, expireDueCheckouts } from './service.ts';

const checkoutExpiryIntervalMs = 5_000;

/** Checkouts: what a merchant sells and a buyer pays, with the hosted page's client secret. */
export const checkoutCapability: Capability = {
  name: 'checkout',
  routes: checkoutRoutes,
  workers: (ctx) => [periodicWorkerOf(ctx, 'checkout-expiry', checkoutExpiryIntervalMs, expireDueCheckouts)],
  paymentSources: [checkoutPaymentSource],
  bearerCaller: buyerCallerOf,
  events: ['checkout.paid', 'checkout.expired', 'checkout.canceled', 'payment.succeeded'],
};
