/** Expected failures are values: a stable code, a sentence for humans, and optional facts. */
export type Refusal<C extends string> = {
  readonly ok: false;
  readonly code: C;
  readonly detail: string;
  readonly extra?: Record<string, unknown>;
};

export type Result<T, C extends string> = { readonly ok: true; readonly value: T } | Refusal<C>;

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function refuse<C extends string>(code: C, detail: string, extra?: Record<string, unknown>): Refusal<C> {
  return extra === undefined ? { ok: false, code, detail } : { ok: false, code, detail, extra };
}
