import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { amountOutOfBounds, isCurrencyAlpha } from '../money/index.ts';
import { unsafeTextOf } from '../platform/index.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** ISO 3166 alpha-2 codes are checked against the ICU region list Node ships. */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  const name = regionNames.of(code);
  return name !== undefined && name !== code && name !== 'Unknown Region';
}

/** Formats the route schemas name, so a code is checked with every other field and gets its pointer. */
export const customFormats = {
  iso4217: (value: string) => isCurrencyAlpha(value),
  'iso3166-alpha2': (value: string) => isCountryCode(value),
  /** One line of Unicode text with nothing hidden in it (`unsafeTextOf`): names and cities. */
  'text-line': (value: string) => unsafeTextOf(value) === undefined,
};

/**
 * `x-amount-bound: {amount, currency}` on an object schema: the field named
 * `amount` is a payment amount in the currency the field named `currency`
 * holds, within that currency's bound (`amountMaxOf`). Checked with every
 * other field, so a 400 names it among the rest; a currency that is itself
 * invalid is left to its own error.
 */
export const amountBoundKeyword = 'x-amount-bound';
export type AmountBound = { amount: string; currency: string };

type KeywordError = { instancePath: string; keyword: string; message: string; params: Record<string, unknown> };
type BoundCheck = ((
  bound: AmountBound,
  data: Record<string, unknown>,
  parent: unknown,
  context: { instancePath: string },
) => boolean) & { errors?: KeywordError[] };

const checkAmountBound: BoundCheck = (bound, data, _parent, context) => {
  const amount = data[bound.amount];
  const currency = data[bound.currency];
  if (typeof amount !== 'number' || typeof currency !== 'string' || !isCurrencyAlpha(currency)) return true;
  const problem = amountOutOfBounds(amount, currency);
  if (problem === undefined) return true;
  checkAmountBound.errors = [
    {
      instancePath: `${context.instancePath}/${bound.amount}`,
      keyword: amountBoundKeyword,
      message: problem,
      params: {},
    },
  ];
  return false;
};

function makeAjv({ coerceTypes }: { coerceTypes: boolean | 'array' }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    verbose: true,
  });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(customFormats)) ajv.addFormat(name, { type: 'string', validate });
  ajv.addKeyword({ keyword: amountBoundKeyword, type: 'object', errors: true, validate: checkAmountBound as never });
  return ajv;
}

/**
 * Bodies are validated as sent: "12" is not an amount. Query strings and path
 * parameters are text by nature, so they are coerced to their declared types.
 * Every error is reported, not only the first.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodyAjv = makeAjv({ coerceTypes: false });
  const textAjv = makeAjv({ coerceTypes: 'array' });
  // Routes repeat the same schemas (ids in paths, pages in queries): each distinct one is compiled once, when
  // a request first needs it, so a start does not pay for every route's schemas.
  const compiled = new Map<string, ReturnType<FastifySchemaCompiler<unknown>>>();
  return ({ schema, httpPart }) => {
    const body = httpPart === 'body';
    const key = `${body ? 'body' : 'text'}:${JSON.stringify(schema)}`;
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = lazily(() => (body ? bodyAjv : textAjv).compile(schema as object));
      compiled.set(key, validate);
    }
    return validate;
  };
}

type AjvValidate = ((data: unknown) => boolean) & { errors?: unknown };

/** A validator compiled on its first call; like Ajv's own, it leaves its last call's errors on `errors`. */
function lazily(compile: () => AjvValidate): ReturnType<FastifySchemaCompiler<unknown>> {
  let built: AjvValidate | undefined;
  const validate: AjvValidate = (data) => {
    built ??= compile();
    const valid = built(data);
    validate.errors = built.errors;
    return valid;
  };
  return validate as ReturnType<FastifySchemaCompiler<unknown>>;
}
