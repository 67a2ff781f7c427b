import type { Capability } from '../capability.ts';
import { bridgesProblemCodes } from './problems.ts';

/** Wallets that do not call the hub, reached through their own merchant API (WeChat Pay API v3). */
export const bridgesCapability: Capability = {
  name: 'bridges',
  problemCodes: bridgesProblemCodes,
};
