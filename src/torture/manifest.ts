import type { Capability } from '../capability.ts';
import { registerTortureCommand } from './cli.ts';

/** `lintas torture`: the crash test, which kills the hub under load and audits what survived. */
export const tortureCapability: Capability = {
  name: 'torture',
  commands: (program) => registerTortureCommand(program),
};
