/**
 * What an audit can find. lost: an answer a client took as final, or a fact's news, did not come true (or a
 * client never heard); doubled: it came true twice; broken: the money does not add up.
 */
export type ViolationKind = 'lost' | 'doubled' | 'broken';
export type Violation = { kind: ViolationKind; check: string; detail: string };

const violation =
  (kind: ViolationKind) =>
  (check: string, detail: string): Violation => ({ kind, check, detail });

export const lost = violation('lost');
export const doubled = violation('doubled');
export const broken = violation('broken');
