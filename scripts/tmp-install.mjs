// Installs a tool the tests start (the Mojaloop SDK, the testing toolkit) into its own folder under .tmp/,
// outside the repository's dependencies. Test files run in parallel and two of them may ask for the same
// tool at once: a lock folder makes the second wait for the first's install instead of running npm into
// the same folder beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

const lockWaitMs = 15 * 60_000;
const lockPollMs = 500;

function installedVersion(manifestPath) {
  if (!existsSync(manifestPath)) return undefined;
  return JSON.parse(readFileSync(manifestPath, 'utf8')).version;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock folder, or waits while another install holds it; false when it was held too long. */
function lock(lockDir) {
  for (let waited = 0; waited < lockWaitMs; waited += lockPollMs) {
    try {
      mkdirSync(lockDir);
      return true;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than any install is one a killed install left behind.
      if (Date.now() - statSync(lockDir).mtimeMs > lockWaitMs) rmSync(lockDir, { recursive: true, force: true });
      sleep(lockPollMs);
    }
  }
  return false;
}

/**
 * Installs `name@version` into `folder` with `overrides`, unless that version is there already.
 * Throws when it did not install.
 */
export function installInto(folder, { name, version, overrides }) {
  const manifestPath = `${folder}node_modules/${name}/package.json`;
  // Checked only under the lock: halfway through an install the manifest may already be there.
  mkdirSync(folder, { recursive: true });
  const lockDir = `${folder}.installing`;
  if (!lock(lockDir)) throw new Error(`another install of ${name} held ${lockDir} too long`);
  try {
    if (installedVersion(manifestPath) === version) return;
    const manifest = {
      name: `lintas-${name.replace(/\W+/g, '-')}`,
      private: true,
      dependencies: { [name]: version },
      overrides,
    };
    writeFileSync(`${folder}package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], { cwd: folder, stdio: 'inherit' });
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
  if (installedVersion(manifestPath) !== version) throw new Error(`${name}@${version} did not install`);
}
