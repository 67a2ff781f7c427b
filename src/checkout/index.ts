export { buyerCallerOf, expireDueCheckouts, findCheckout, findCheckoutDecisions, moveCheckout } from './service.ts';
export { type Checkout, type CheckoutStatus, type CheckoutLine, type CheckoutMethod } from './model.ts';
