// Fees: schedules per currency, an acquirer's merchant discount per
// merchant, and the fees of a payment or refund. The only door into src/fees.
export {
  type FeeName,
  type FeeRule,
  type FeeSchedule,
  type Fees,
  emptySchedule,
  feeOf,
  paymentFees,
  refundFees,
} from './model.ts';
export {
  type RuleInput,
  type ScheduleInput,
  feesForPayment,
  scheduleOf,
  setMerchantFees,
  setSchedule,
} from './service.ts';
