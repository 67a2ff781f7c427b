// `lintas bench qr`: decodes with lenient validation per second against
// promptparse's parse(s, true) (CRC check, then tags and one level of
// sub-tags), on the same valid merchant-presented vectors in the same run.
//
// Rates are per second of this process's CPU time, and each contender's rate
// is its best round: the machine is shared, and the time other processes take
// says nothing about either parser.
import { readFileSync } from 'node:fs';
import { parse as promptparseParse } from 'promptparse';
import { decode } from '../src/qr/index.ts';

export type QrBenchResult = {
  /** decode(payload): the lenient verdict, the tree and the warnings. */
  lintasPerSecond: number;
  /** decode(payload, { findings: false }): the lenient verdict and the tree, as a wallet resolving a scan needs. */
  lintasVerdictOnlyPerSecond: number;
  promptparsePerSecond: number;
  /** lintasPerSecond / promptparsePerSecond. */
  ratio: number;
  verdictOnlyRatio: number;
};

type Vector = { payload: string; valid: boolean; scheme: string };
type Contender = { name: string; decodeOne: (payload: string) => boolean };

const vectorsUrl = new URL('../src/qr/testdata/emv-qr-vectors.json', import.meta.url);
const defaultSeconds = 3;
const warmUpShare = 0.25;
/** Contenders take turns, so that a busy moment of the machine is shared among them. */
const rounds = 6;

/** The valid merchant-presented vectors: what a wallet scans in practice. */
export function benchPayloads(): string[] {
  const vectors = JSON.parse(readFileSync(vectorsUrl, 'utf8')) as Vector[];
  return vectors.filter((vector) => vector.valid && vector.scheme !== 'emvco-cpm').map((vector) => vector.payload);
}

export async function runQrBench(options: { seconds?: number } = {}): Promise<QrBenchResult> {
  const seconds = options.seconds ?? defaultSeconds;
  const payloads = benchPayloads();
  const contenders: Contender[] = [
    { name: 'lintas decode (lenient verdict, tree, warnings)', decodeOne: (payload) => decode(payload).valid },
    {
      name: 'lintas decode (lenient verdict, tree; findings: false)',
      decodeOne: (payload) => decode(payload, { findings: false }).valid,
    },
    { name: 'promptparse parse(s, true)', decodeOne: (payload) => promptparseParse(payload, true) !== null },
  ];
  for (const contender of contenders) runFor(contender, payloads, (seconds * warmUpShare) / contenders.length);
  const best = contenders.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach((contender, i) => {
      best[i] = Math.max(best[i]!, runFor(contender, payloads, seconds / rounds));
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  const [lintasPerSecond, lintasVerdictOnlyPerSecond, promptparsePerSecond] = best as [number, number, number];
  const result = {
    lintasPerSecond,
    lintasVerdictOnlyPerSecond,
    promptparsePerSecond,
    ratio: lintasPerSecond / promptparsePerSecond,
    verdictOnlyRatio: lintasVerdictOnlyPerSecond / promptparsePerSecond,
  };
  report(result, contenders, payloads.length, seconds);
  return result;
}

function report(result: QrBenchResult, contenders: readonly Contender[], payloadCount: number, seconds: number): void {
  const rates = [result.lintasPerSecond, result.lintasVerdictOnlyPerSecond, result.promptparsePerSecond];
  console.log(
    `qr decode: ${payloadCount} valid merchant-presented vectors, ${seconds} s of turns, best round per CPU second`,
  );
  for (const [i, contender] of contenders.entries()) {
    console.log(`  ${contender.name}: ${Math.round(rates[i]!).toLocaleString('en')} /s`);
  }
  console.log(
    `  ratio, with warnings: ${result.ratio.toFixed(2)}x; verdict and tree only: ` +
      `${result.verdictOnlyRatio.toFixed(2)}x`,
  );
}

/** Decodes the payloads over and over for about `seconds` of wall time; returns decodes per CPU second. */
function runFor(contender: Contender, payloads: readonly string[], seconds: number): number {
  const wallStarted = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const budget = BigInt(Math.round(seconds * 1e9));
  let decodes = 0;
  let accepted = 0;
  while (process.hrtime.bigint() - wallStarted < budget) {
    for (const payload of payloads) if (contender.decodeOne(payload)) accepted++;
    decodes += payloads.length;
  }
  const cpu = process.cpuUsage(cpuStarted);
  // Using the count keeps the calls from being optimised away.
  if (accepted > decodes) throw new Error('more payloads accepted than decoded');
  return decodes / ((cpu.user + cpu.system) / 1e6);
}
