// The crash test (`lintas torture`); the only door into src/torture.
export { type TortureOptions, runTorture } from './torture.ts';
export { type TortureReport, formatReport } from './report.ts';
export type { Violation, ViolationKind } from './violations.ts';
export { type HubProcess, hubProcess } from './hub-process.ts';
export { type Scratch, type ScratchEngine, onPostgresServer, pgServerUrlDefault, scratchDatabase } from './scratch.ts';
