/** Who is calling, as the auth hook proved it. */
export type Caller =
  | { readonly type: 'operator'; readonly id: 'operator' }
  | { readonly type: 'merchant'; readonly id: string; readonly acquirerId: string }
  | {
      readonly type: 'participant';
      readonly id: string;
      readonly keyId: string;
      /** The operator's rate limit for this participant, when it set one. */
      readonly rateLimitPerMinute?: number | null;
    }
  | { readonly type: 'buyer'; readonly id: string };

export type CallerType = Caller['type'];

/** The actor recorded in the audit trail for a caller. */
export function actorOf(caller: Caller): { type: CallerType; id: string } {
  return { type: caller.type, id: caller.id };
}

export const operatorCaller: Caller = { type: 'operator', id: 'operator' };
