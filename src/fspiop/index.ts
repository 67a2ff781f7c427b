// FSPIOP (Mojaloop) DFSPs on Lintas: the DFSP registry, the party oracle, and the routing of lookups, quotes
// and two-phase transfers between DFSPs. Other folders reach none of it: DFSPs speak to the hub over HTTP.
// The only door into src/fspiop.
export { fspiopBasePath } from './protocol-routes.ts';
export { type FspiopMessage, type SchemaViolation, violationsOf } from './openapi.ts';
