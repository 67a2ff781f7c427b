export { ensureHubKey, hubJwks, type HubSigner } from './service.ts';
