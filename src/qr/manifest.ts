import type { Capability } from '../capability.ts';
import { registerQrCommands } from './cli.ts';

/** The EMVCo QR codec and its `lintas qr` commands. */
export const qrCapability: Capability = { name: 'qr', commands: (program) => registerQrCommands(program) };
