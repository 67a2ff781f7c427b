// Transfers, the unit of clearing: payments (posted at once or reserved
// first), refunds and chargebacks, each with its receipt number and ledger entries. The
// only door into src/transfers.
export {
  type PaymentSource,
  type RefundRefusal,
  type Transfer,
  type TransferFees,
  type TransferKind,
  type TransferRefusal,
  type TransferSource,
  type TransferStatus,
  isValidReceiptNumber,
  paymentSources,
  transferJson,
} from './model.ts';
export {
  type PaymentInput,
  type RefundInput,
  canSeeTransfer,
  commitReservation,
  findTransfer,
  findTransferByPayerRef,
  isPayerRefConflict,
  postPayment,
  postRefund,
  releaseReservation,
  reservePayment,
} from './service.ts';
export {
  type ChargebackInput,
  holdDisputed,
  postArbitrationFee,
  postChargeback,
  releaseDisputed,
} from './disputed.ts';
export { TransferSchema } from './routes.ts';
