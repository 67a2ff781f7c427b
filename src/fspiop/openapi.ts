/**
 * The FSPIOP v1.1 OpenAPI definition (vendored from Mojaloop, see
 * vendor/README.md) as a validator: every request a DFSP sends and every
 * callback the hub sends is checked against it, so Lintas speaks the
 * standard as written rather than as we remember it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import definition from './vendor/fspiop-rest-v1.1.json' with { type: 'json' };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type FspiopMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

export type FspiopMessage = {
  method: FspiopMethod;
  /** The resource path under the FSPIOP base, e.g. `/transfers/9b0…/error`. */
  path: string;
  /** Header names in any case. */
  headers: Readonly<Record<string, string | undefined>>;
  body?: unknown;
};

/** One way a message breaks the definition: where (a header, `body/…`, the path) and how. */
export type SchemaViolation = { where: string; message: string };

type Parameter = { name: string; in: string; required?: boolean };
type Operation = { parameters?: unknown[]; requestBody?: { content?: Record<string, { schema?: unknown }> } };
type PathItem = Record<string, unknown> & { parameters?: unknown[] };
type Document = {
  paths: Record<string, PathItem>;
  components: { parameters: Record<string, Parameter> };
};

/**
 * One departure from the vendored text: a CorrelationId may be a ULID as well as a UUID, as Mojaloop's own hub
 * and testing toolkit (whose ids are ULIDs) have it since FSPIOP 1.1's later snippets.
 */
export const ulidPattern = '^[0-9A-HJKMNP-TV-Z]{26}$';

function withUlidCorrelationIds(source: object): object {
  const copy = structuredClone(source) as { components: { schemas: Record<string, { pattern?: string }> } };
  const correlationId = copy.components.schemas.CorrelationId;
  if (correlationId?.pattern === undefined) throw new Error('the FSPIOP definition has no CorrelationId pattern');
  correlationId.pattern = `${correlationId.pattern}|${ulidPattern}`;
  return copy;
}

const extended = withUlidCorrelationIds(definition);
const document = extended as unknown as Document;
const documentId = 'fspiop-v1.1';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema(extended, documentId);

type Route = { template: string; pattern: RegExp; literals: number };

/** Path templates, the most literal first, so `/parties/{Type}/{ID}/error` wins over `/parties/{Type}/{ID}/{SubId}`. */
const routes: Route[] = Object.keys(document.paths)
  .map((template) => {
    const segments = template.split('/').slice(1);
    const source = segments.map((segment) => (segment.startsWith('{') ? '[^/]+' : escapeRegExp(segment))).join('/');
    return {
      template,
      pattern: new RegExp(`^/${source}$`),
      literals: segments.filter((segment) => !segment.startsWith('{')).length,
    };
  })
  .sort((a, b) => b.literals - a.literals);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The definition's path template for a concrete path, if it has one. */
export function templateOf(path: string): string | undefined {
  return routes.find((route) => route.pattern.test(path))?.template;
}

function resolveParameter(parameter: unknown): Parameter {
  const ref = (parameter as { $ref?: string }).$ref;
  if (ref === undefined) return parameter as Parameter;
  const name = ref.replace('#/components/parameters/', '');
  const resolved = document.components.parameters[name];
  if (resolved === undefined) throw new Error(`the FSPIOP definition has no parameter ${ref}`);
  return resolved;
}

const bodyValidators = new Map<string, ValidateFunction | null>();

function bodyValidatorOf(template: string, method: FspiopMethod, operation: Operation): ValidateFunction | null {
  const key = `${method} ${template}`;
  const known = bodyValidators.get(key);
  if (known !== undefined) return known;
  const schema = operation.requestBody?.content?.['application/json']?.schema as { $ref?: string } | undefined;
  const validator =
    schema === undefined
      ? null
      : ajv.compile(schema.$ref === undefined ? schema : { $ref: `${documentId}${schema.$ref}` });
  bodyValidators.set(key, validator);
  return validator;
}

function headerViolations(item: PathItem, operation: Operation, headers: FspiopMessage['headers']): SchemaViolation[] {
  const present = new Set(
    Object.entries(headers)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([name]) => name.toLowerCase()),
  );
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolveParameter);
  return parameters
    .filter((parameter) => parameter.in === 'header' && parameter.required === true)
    .filter((parameter) => !present.has(parameter.name.toLowerCase()))
    .map((parameter) => ({ where: `header ${parameter.name}`, message: 'is required' }));
}

/** Every way the message breaks the FSPIOP v1.1 definition; none when it conforms. */
export function violationsOf(message: FspiopMessage): SchemaViolation[] {
  const template = templateOf(message.path);
  if (template === undefined) return [{ where: 'path', message: `${message.path} is no FSPIOP resource` }];
  const item = document.paths[template] as PathItem;
  const operation = item[message.method] as Operation | undefined;
  if (operation === undefined) return [{ where: 'method', message: `${message.method} ${template} is not defined` }];
  const violations = headerViolations(item, operation, message.headers);
  const validate = bodyValidatorOf(template, message.method, operation);
  if (validate === null) {
    if (message.body !== undefined) violations.push({ where: 'body', message: 'is not expected' });
  } else if (!validate(message.body)) {
    for (const error of validate.errors ?? []) {
      violations.push({ where: `body${error.instancePath}`, message: error.message ?? 'is invalid' });
    }
  }
  return violations;
}

/** One line naming each violation, for an FSPIOP error description (3100 / 3101). */
export function describeViolations(violations: readonly SchemaViolation[]): string {
  return violations.map((violation) => `${violation.where} ${violation.message}`).join('; ');
}
