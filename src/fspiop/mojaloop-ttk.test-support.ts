/**
 * The Mojaloop testing toolkit, for tests: installed outside the repository's dependencies by
 * scripts/mojaloop-ttk.mjs, started as a child process on loopback (scripts/loopback-preload.cjs, which
 * also moves its fixed admin port 5050 to one the test chose), and driven through its admin API, which
 * runs a collection and answers with every assertion's result.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testing/index.ts';
import { portOpen, stopProcess, waitFor } from './mojaloop-sdk.test-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const toolkitFolder = `${root}.tmp/mojaloop-ttk/node_modules/ml-testing-toolkit/`;
const preload = `${root}scripts/loopback-preload.cjs`;
const testdata = fileURLToPath(new URL('./testdata/mojaloop-ttk/', import.meta.url));
/** The admin port the toolkit's code fixes; the preload moves it. */
const fixedAdminPort = 5050;

/** Installs the toolkit when it is missing; the reason it cannot be used, or undefined when it can. */
export function toolkitUnavailableReason(): string | undefined {
  // Run every time: it does nothing when the toolkit is there, and waits for an install begun elsewhere.
  const install = spawnSync(process.execPath, [`${root}scripts/mojaloop-ttk.mjs`], { encoding: 'utf8' });
  if (install.status === 0 && existsSync(`${toolkitFolder}src/index.js`)) return undefined;
  const output = `${install.stdout}${install.stderr}`.trim().split('\n').slice(-5).join(' | ');
  return `ml-testing-toolkit could not be installed by scripts/mojaloop-ttk.mjs: ${output}`;
}

export type Toolkit = {
  /** Where the toolkit takes FSPIOP callbacks, as a DFSP (its FSPID, testingtoolkitdfsp). */
  inboundUrl: string;
  adminUrl: string;
  output: string[];
  stop(): Promise<void>;
};

export async function startToolkit(): Promise<Toolkit> {
  const [inbound, admin] = [await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TTK_SYSTEM_CONFIG: JSON.stringify({ API_PORT: inbound }),
    LOOPBACK_PORT_MAP: `${fixedAdminPort}=${admin}`,
  };
  const child: ChildProcess = spawn(process.execPath, ['--require', preload, 'src/index.js'], {
    cwd: toolkitFolder,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  try {
    await waitFor('the testing toolkit', async () => {
      if (child.exitCode !== null) throw new Error(`the testing toolkit exited: ${output.join('').slice(-2000)}`);
      return (
        (await portOpen(inbound)) && (await portOpen(admin)) && output.join('').includes('Initialization completed')
      );
    });
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    inboundUrl: `http://127.0.0.1:${inbound}`,
    adminUrl: `http://127.0.0.1:${admin}`,
    output,
    stop: () => stopProcess(child),
  };
}

type Assertion = { id: string; description: string; resultStatus?: { status: string; message?: string } };
type ReportRequest = { request: { id: string; tests?: { assertions: Assertion[] } } };
export type ToolkitReport = {
  test_cases: { name: string; requests: ReportRequest[] }[];
  runtimeInformation: { totalAssertions: number; totalPassedAssertions: number; runDurationMs: number };
};

/** One assertion of the collection and how it came out, named `request id / assertion id`. */
export type AssertionResult = { name: string; status: string; message: string };

export function assertionResultsOf(report: ToolkitReport): AssertionResult[] {
  return report.test_cases.flatMap((testCase) =>
    testCase.requests.flatMap(({ request }) =>
      (request.tests?.assertions ?? []).map((assertion) => ({
        name: `${request.id} / ${assertion.id}`,
        status: assertion.resultStatus?.status ?? 'NOT RUN',
        message: assertion.resultStatus?.message ?? '',
      })),
    ),
  );
}

type Collection = {
  name: string;
  test_cases: { requests: { id: string; tests?: { assertions: { id: string }[] } }[] }[];
};

/** The golden-path collection as vendored: Mojaloop's file, unchanged. */
export function goldenPath(): Collection {
  return JSON.parse(readFileSync(`${testdata}p2p_happy_path.json`, 'utf8')) as Collection;
}

/** Every assertion the collection makes, named as assertionResultsOf names them. */
export function assertionsOf(collection: Collection): string[] {
  return collection.test_cases.flatMap((testCase) =>
    testCase.requests.flatMap((request) =>
      (request.tests?.assertions ?? []).map((assertion) => `${request.id} / ${assertion.id}`),
    ),
  );
}

/** The collection's environment as vendored, with the inputs of this deployment laid over it. */
export function environmentWith(inputs: Record<string, unknown>): Record<string, unknown> {
  const environment = JSON.parse(readFileSync(`${testdata}hub-environment.json`, 'utf8')) as {
    inputValues: Record<string, unknown>;
  };
  return { ...environment.inputValues, ...inputs };
}

/**
 * Runs the collection in the toolkit and answers with its report. `generateIDType: uuid` is the
 * toolkit's own run option for the ids its `generateID` makes (ULIDs otherwise), which the payee SDK
 * 18.0.2 needs: its definition takes UUIDs only.
 */
export async function runCollection(
  toolkit: Toolkit,
  collection: Collection,
  inputValues: Record<string, unknown>,
  timeoutMs: number,
): Promise<ToolkitReport> {
  const template = {
    name: collection.name,
    inputValues,
    test_cases: collection.test_cases,
    options: { generateIDType: 'uuid' },
  };
  const answer = await fetch(`${toolkit.adminUrl}/api/outbound/template/lintas-golden-path?sync=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(template),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (answer.status !== 200) throw new Error(`the toolkit refused the run: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as ToolkitReport;
}
