import type { Capability } from '../capability.ts';
import { participantRoutes } from './routes.ts';
import { createSignatureResolver } from './signing.ts';

/** Wallets and acquirers: their review, keys and callback URLs; they sign their requests. */
export const participantsCapability: Capability = {
  name: 'participants',
  routes: participantRoutes,
  signatureResolver: createSignatureResolver,
};
