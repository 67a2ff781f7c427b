import { describe, expect, it } from 'vitest';
import { InvariantError, invariant } from './index.ts';

describe('invariant', () => {
  it('passes when the condition holds, and narrows its type', () => {
    const value: string | undefined = 'here';
    invariant(value !== undefined, 'the value is here');
    expect(value.length).toBe(4);
    expect(() => invariant(1, 'a truthy number holds')).not.toThrow();
  });

  it('throws an InvariantError whose message names the broken fact', () => {
    const broken = () => invariant(false, 'two plus two is four');
    expect(broken).toThrow(InvariantError);
    expect(broken).toThrow(/^invariant failed: two plus two is four$/);
    try {
      broken();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('InvariantError');
    }
  });

  it('treats every falsy value as a broken fact', () => {
    for (const falsy of [0, '', null, undefined, Number.NaN]) {
      expect(() => invariant(falsy, 'falsy fails')).toThrow(InvariantError);
    }
  });
});
