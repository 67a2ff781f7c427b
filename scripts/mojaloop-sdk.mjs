#!/usr/bin/env node
// Installs the Mojaloop SDK scheme adapter into .tmp/mojaloop-sdk/, outside the repository's dependencies
// (it brings hundreds of packages the hub never loads). @mojaloop/event-sdk asks for the native grpc@1.24.9,
// whose binary is a download this machine cannot reach; an override resolves `grpc` to the pure JavaScript
// @grpc/grpc-js, with which the SDK starts. Run again, it does nothing when the version is already there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sdkVersion = '18.0.2';
export const sdkFolder = fileURLToPath(new URL('../.tmp/mojaloop-sdk/', import.meta.url));
const installedManifest = `${sdkFolder}node_modules/@mojaloop/sdk-scheme-adapter/package.json`;

function installedVersion() {
  if (!existsSync(installedManifest)) return undefined;
  return JSON.parse(readFileSync(installedManifest, 'utf8')).version;
}

export function installSdk() {
  if (installedVersion() === sdkVersion) return;
  mkdirSync(sdkFolder, { recursive: true });
  const manifest = {
    name: 'lintas-mojaloop-sdk',
    private: true,
    dependencies: { '@mojaloop/sdk-scheme-adapter': sdkVersion },
    overrides: { grpc: 'npm:@grpc/grpc-js@1.14.7' },
  };
  writeFileSync(`${sdkFolder}package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], {
    cwd: sdkFolder,
    stdio: 'inherit',
  });
  if (installedVersion() !== sdkVersion) throw new Error(`@mojaloop/sdk-scheme-adapter@${sdkVersion} did not install`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) installSdk();
