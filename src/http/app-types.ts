import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Refusal, Result } from '../platform/index.ts';
import { Problem } from './problems.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Turns a refusal into the problem a route answers. */
export function problemOf(refusal: Refusal<string>): Problem {
  return new Problem(refusal.code, refusal.detail, refusal.extra ?? {});
}

/** The value of a use case, or its refusal thrown as a problem. */
export function valueOrThrow<T>(result: Result<T, string>): T {
  if (!result.ok) throw problemOf(result);
  return result.value;
}
