// The double-entry ledger: balanced postings, positions, reservations,
// headroom against net debit caps, and the whole-database check. The only
// door into src/ledger.
export {
  type Limits,
  type LedgerCounts,
  type LedgerViolationCode,
  type Position,
  type PositionView,
  type Posting,
  type ThresholdCrossing,
  LedgerInvariantError,
  fitsHeadroom,
  headroomOf,
  hubAccount,
  invariant,
  netMoves,
  thresholdCrossings,
} from './model.ts';
export {
  type LimitRefusal,
  type LimitsInput,
  type SetLimitsRefusal,
  announceThresholdCrossings,
  checkHeadroom,
  limitsOf,
  lockPosition,
  lockPositions,
  positionView,
  postEntries,
  releaseReserved,
  reserve,
  setLimits,
} from './service.ts';
export { checkLedger } from './check.ts';
export { postEntriesMovingPositionsAtCommit, precheckHeadroom } from './moves-at-commit.ts';
