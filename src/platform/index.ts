export { type Clock, type ManualClock, systemClock, createManualClock, isoUtc } from './clock.ts';
export { type Random, cryptoRandom, newId, newToken } from './random.ts';
export {
  Secret,
  sha256Hex,
  secretsEqual,
  sealSecret,
  openSecret,
  isValidMasterKey,
  generateMasterKey,
} from './secret.ts';
export { type Result, type Refusal, ok, refuse } from './result.ts';
export { type Worker, startPeriodicWorker } from './worker.ts';
export { InvariantError, invariant } from './invariant.ts';
