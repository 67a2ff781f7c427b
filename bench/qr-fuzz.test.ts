import { describe, expect, it } from 'vitest';
import { runQrFuzz } from './qr-fuzz.ts';

describe('decode on mutated payloads', () => {
  it('answers 20,000 of them with a result or a codec failure, never a throw', () => {
    const result = runQrFuzz({ runs: 20_000 });
    expect(result.runs).toBe(20_000);
    // The re-signed half must reach the rules, or the fuzz proves little.
    expect(result.readable).toBeGreaterThan(1_000);
  }, 120_000);
});
