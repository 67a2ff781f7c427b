import { createServer } from 'node:net';
import type { Config } from '../config.ts';
import { type ManualClock, Secret, createManualClock, cryptoRandom, generateMasterKey } from '../platform/index.ts';
import { type RunningHub, startHub } from '../server.ts';
import type { HttpPort } from '../http/signed-client.ts';
import { createTestDatabase } from './database.ts';

export type TestHub = RunningHub & {
  clock: ManualClock;
  operatorToken: string;
  config: Config;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A real hub on 127.0.0.1 with its own database and a clock the test moves. */
export async function startTestHub(options: { clock?: ManualClock; http?: HttpPort; config?: Partial<Config> } = {}): Promise<TestHub> {
  const database = await createTestDatabase();
  const port = await freePort();
  const operatorToken = `op_test_${cryptoRandom.bytes(16).toString('hex')}`;
  const config: Config = {
    port,
    host: '127.0.0.1',
    db: database.location,
    dataDir: database.dataDir,
    publicUrl: `http://127.0.0.1:${port}`,
    operatorToken: new Secret(operatorToken),
    operatorTokenFile: undefined,
    masterKey: generateMasterKey(cryptoRandom),
    allowPrivateUrls: true,
    qrGuid: 'org.lintas.hub',
    ...options.config,
  };
  const clock = options.clock ?? createManualClock(new Date());
  const hub = await startHub(config, { clock, logLevel: process.env.LINTAS_TEST_LOG_LEVEL ?? 'silent', ...(options.http ? { http: options.http } : {}) });
  return {
    ...hub,
    clock,
    operatorToken,
    config,
    stop: async () => {
      await hub.stop();
      await database.drop();
    },
  };
}
