// `lintas bench qr-fuzz`: mutated payloads through every decode mode; decode
// must answer each with a result or a codec failure and never throw.
import fc from 'fast-check';
import { decode, encode, type QrDecodeResult } from '../src/qr/index.ts';
import { codecErrors, mutatedPayloads } from './qr-mutations.ts';

const knownCodes: ReadonlySet<string> = new Set(codecErrors);

/** Throws, with the payload, when a result is not one decode may give. */
export function checkDecodes(payload: string): void {
  for (const result of [decode(payload), decode(payload, { mode: 'strict' }), decode(payload, { findings: false })]) {
    checkResult(payload, result);
    if (result.kind === 'mpm') encode(result.fields);
  }
}

function checkResult(payload: string, result: QrDecodeResult): void {
  if (result.kind === 'mpm' || result.kind === 'cpm') return;
  if (result.kind !== 'error' || !knownCodes.has(result.code))
    throw new Error(`unexpected result for ${JSON.stringify(payload)}: ${JSON.stringify(result)}`);
  if (!Number.isInteger(result.position) || result.position < 0 || result.position > payload.length) {
    throw new Error(`position out of the payload for ${JSON.stringify(payload)}: ${JSON.stringify(result)}`);
  }
}

export type QrFuzzResult = { runs: number; seconds: number; readable: number };

export function runQrFuzz(options: { runs?: number; seed?: number } = {}): QrFuzzResult {
  const runs = options.runs ?? 1_000_000;
  let readable = 0;
  const started = process.hrtime.bigint();
  fc.assert(
    fc.property(mutatedPayloads(), (payload) => {
      checkDecodes(payload);
      if (decode(payload).kind !== 'error') readable++;
    }),
    { numRuns: runs, seed: options.seed },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `qr fuzz: ${runs.toLocaleString('en')} mutated payloads decoded in every mode in ${seconds.toFixed(1)} s, none ` +
      `threw`,
  );
  console.log(
    `  ${readable.toLocaleString('en')} of them still readable (a tree and findings), the others codec failures`,
  );
  return { runs, seconds, readable };
}
