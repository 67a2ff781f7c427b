#!/usr/bin/env node
// Installs the Mojaloop SDK scheme adapter into .tmp/mojaloop-sdk/, outside the repository's dependencies
// (it brings hundreds of packages the hub never loads). @mojaloop/event-sdk asks for the native grpc@1.24.9,
// whose binary is a download this machine cannot reach; an override resolves `grpc` to the pure JavaScript
// @grpc/grpc-js, with which the SDK starts. Run again, it does nothing when the version is already there.
import { fileURLToPath } from 'node:url';
import { installInto } from './tmp-install.mjs';

export const sdkVersion = '18.0.2';
export const sdkFolder = fileURLToPath(new URL('../.tmp/mojaloop-sdk/', import.meta.url));

export function installSdk() {
  installInto(sdkFolder, {
    name: '@mojaloop/sdk-scheme-adapter',
    version: sdkVersion,
    overrides: { grpc: 'npm:@grpc/grpc-js@1.14.7' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) installSdk();
