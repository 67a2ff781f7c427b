export { type Clock, type ManualClock, systemClock, createManualClock, isoUtc } from './clock.ts';
export { type Random, cryptoRandom, newId, newToken, randomFraction } from './random.ts';
export {
  Secret,
  sha256Hex,
  secretsEqual,
  sealSecret,
  openSecret,
  MasterKeyMismatchError,
  isValidMasterKey,
  generateMasterKey,
} from './secret.ts';
export { type CsvValue, csvCell, csvRow } from './csv.ts';
export { unsafeTextOf } from './text.ts';
export { type Result, type Refusal, ok, refuse } from './result.ts';
export { type Worker, startPeriodicWorker } from './worker.ts';
export { type Timer, type ManualTimer, systemTimer, createManualTimer } from './timer.ts';
export { InvariantError, invariant } from './invariant.ts';
export { type Prng, seededPrng } from './seeded.ts';
export { freePort } from './ports.ts';
export { type Progress, type ProgressBar, terminalProgress } from './progress.ts';
