/**
 * An impossible state: a programmer error, thrown and never caught to be
 * hidden. Expected failures (input, races) are refusals, never invariants.
 */
export class InvariantError extends Error {
  override readonly name: string = 'InvariantError';
}

/**
 * Asserts one fact the code relies on; on in production too, since money moves
 * past it. One assertion per fact, so the message says which fact broke.
 */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(`invariant failed: ${message}`);
}
