export { checkoutRoutes } from './routes.ts';
export { checkoutPaymentSource } from './payment-source.ts';
export { buyerCallerOf, expireDueCheckouts, findCheckout, findCheckoutDecisions, moveCheckout } from './service.ts';
export { type Checkout, type CheckoutStatus, type CheckoutLine, type CheckoutMethod } from './model.ts';
