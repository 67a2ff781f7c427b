export { createSignatureResolver, verifyParticipantAnswer } from './signing.ts';
export {
  type BridgeKind,
  type Participant,
  type ParticipantBridge,
  type ParticipantRole,
  type ParticipantStatus,
  type WalletFlow,
  flowsOf,
  isAcquirer,
  isIssuer,
  prefixesOverlap,
} from './model.ts';
export { findParticipant, listActiveIssuers, findParticipantRow } from './store.ts';
