export {
  createPaymentService,
  issuePaymentToken,
  listTokensOfAttempt,
  markTokenUsed,
  type PaymentService,
  type TokenInput,
} from './service.ts';
export {
  buildHubPayload,
  payloadOrThrow,
  readHubTemplate,
  type HubPayloadSale,
  type HubTemplate,
} from './qr-template.ts';
export { paymentViewOf } from './model.ts';
export type {
  BridgeOrderAnswer,
  BridgeOrderRefusal,
  BridgeOrderRequest,
  BridgeProvider,
  PaymentInput,
  PaymentRefusal,
  PaymentRequest,
  PaymentSourceHandler,
  PaymentToken,
  TokenSource,
  PaymentView,
} from './model.ts';
