export { type ApiDocs, registerApiDocs } from './register.ts';
export { eventCatalogue } from './webhooks.ts';
export { capabilityRaises } from './problems.ts';
