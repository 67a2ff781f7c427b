export { hubRoutes } from './routes.ts';
export { ensureHubKey, hubJwks, type HubSigner } from './service.ts';
