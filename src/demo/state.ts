import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the demo made, kept in a 0600 file in the data directory: it holds keys. */
export type DemoWallet = { slug: string; id: string; name: string; keyId: string; privateKeyPem: string };
export type DemoState = { wallets: DemoWallet[]; merchant: { id: string; name: string; secretKey: string } };

const stateFileName = 'demo.json';

export function readDemoState(dataDir: string): DemoState | undefined {
  const file = join(dataDir, stateFileName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoState) : undefined;
}

export function writeDemoState(dataDir: string, state: DemoState): string {
  const file = join(dataDir, stateFileName);
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
