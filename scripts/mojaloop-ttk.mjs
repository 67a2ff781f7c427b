#!/usr/bin/env node
// Installs the Mojaloop testing toolkit (npm `ml-testing-toolkit`) into .tmp/mojaloop-ttk/, outside the
// repository's dependencies, as scripts/mojaloop-sdk.mjs does the SDK: the tests start it to run Mojaloop's
// own hub golden-path collection against Lintas. 18.19.2 pins @mojaloop/ml-testing-toolkit-shared-lib
// 14.3.3, which the registry does not serve; the override takes 14.3.0, with which it installs and runs.
// About 470 MB. Run again, it does nothing when the version is already there.
import { fileURLToPath } from 'node:url';
import { installInto } from './tmp-install.mjs';

export const ttkVersion = '18.19.2';
export const ttkFolder = fileURLToPath(new URL('../.tmp/mojaloop-ttk/', import.meta.url));

export function installToolkit() {
  installInto(ttkFolder, {
    name: 'ml-testing-toolkit',
    version: ttkVersion,
    overrides: { '@mojaloop/ml-testing-toolkit-shared-lib': '14.3.0' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) installToolkit();
