export { buyerCallerOf, expireDueCheckouts, findCheckout, findCheckoutDecisions, moveCheckout } from './service.ts';
export type { Checkout, CheckoutStatus, CheckoutLine, CheckoutMethod } from './model.ts';
export { checkoutPaymentSource } from './payment-source.ts';
