export { placardRoutes } from './routes.ts';
export { placardPaymentSource, tillQrPaymentSource } from './payment-sources.ts';
export { registerPlacardCommand } from './cli.ts';
