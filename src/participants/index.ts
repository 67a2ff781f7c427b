export { createSignatureResolver, verifyParticipantAnswer } from './signing.ts';
export {
  type Participant,
  type ParticipantRole,
  type ParticipantStatus,
  type WalletFlow,
  flowsOf,
  isAcquirer,
  isIssuer,
  prefixesOverlap,
} from './model.ts';
export { findParticipant, listActiveIssuers, findParticipantRow } from './store.ts';
