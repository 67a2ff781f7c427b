// Charges at the till: any wallet's payment code, routed by prefix,
// authorised with a deadline, and reversed when the answer never comes.
// The only door into src/pos.
export { reverseDueCharges } from './service.ts';
export {
  type ChargeStatus,
  type ChargeView,
  paymentCodeDigitsMax,
  paymentCodeDigitsMin,
  reversalWorkerIntervalMs,
} from './model.ts';
