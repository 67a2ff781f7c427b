export { confirmAcknowledgedRefunds } from './service.ts';
export type { Refund, RefundStatus } from './model.ts';
