import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isCurrencyAlpha } from '../money/index.ts';

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
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
