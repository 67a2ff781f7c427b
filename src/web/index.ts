export { pageHandler, titled } from './routes.ts';
