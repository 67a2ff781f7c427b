import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, Problem } from './problems.ts';
import { apiSecurityHeaders } from './security-headers.ts';
import { unsafeTextOf } from '../platform/index.ts';

type AjvError = {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  data?: unknown;
};

const partPrefix: Record<string, string> = { body: '', querystring: '/query', params: '/path', headers: '/headers' };

/**
 * One error per invalid field (RFC 6901 pointers); a missing or extra
 * property points at itself. When one field breaks several rules (a pattern
 * and a format, say), the first one said is enough.
 */
export function fieldErrorsOf(errors: AjvError[], context: string): FieldError[] {
  const prefix = partPrefix[context] ?? `/${context}`;
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const error of errors) {
    const field = toFieldError(error, prefix);
    if (!seen.has(field.pointer)) fields.push(field);
    seen.add(field.pointer);
  }
  return fields;
}

function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function toFieldError(error: AjvError, prefix: string): FieldError {
  const base = `${prefix}${error.instancePath}`;
  if (error.keyword === 'required') {
    return { pointer: `${base}/${escapePointer(String(error.params.missingProperty))}`, detail: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return {
      pointer: `${base}/${escapePointer(String(error.params.additionalProperty))}`,
      detail: 'is not a known field',
    };
  }
  if (error.keyword === 'format') {
    const describe = formatDetails[String(error.params.format)];
    if (describe) return { pointer: base, detail: describe(error.data) };
  }
  return { pointer: base === '' ? '/' : base, detail: error.message ?? error.keyword };
}

/** The formats the hub adds, said the way a person would. */
const formatDetails: Record<string, (value: unknown) => string> = {
  iso4217: (value) => `${String(value)} is not an ISO 4217 currency`,
  'iso3166-alpha2': (value) => `${String(value)} is not an ISO 3166 alpha-2 country`,
  'text-line': (value) => unsafeTextOf(String(value)) ?? 'is not one line of text',
};

const fastifyCodes: Record<string, () => Problem> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new Problem('body_too_large', 'the request body is larger than 1 MiB'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new Problem('unsupported_media_type', 'send application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new Problem('invalid_request', 'the JSON body is empty', { errors: [{ pointer: '/', detail: 'is required' }] }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new Problem('invalid_request', 'Content-Length does not match the body'),
  FST_ERR_BAD_URL: () => new Problem('invalid_request', 'the path is not valid: a percent-encoding in it is malformed'),
  FST_ERR_MAX_PARAM_LENGTH: () => new Problem('invalid_request', 'the path is not valid: a segment of it is too long'),
};

/** Maps anything a route or Fastify throws to a problem; only real faults become 500. */
export function toProblem(error: FastifyError | Problem | Error): Problem {
  if (error instanceof Problem) return error;
  const fastifyError = error as FastifyError & { validationContext?: string; body?: unknown };
  if (fastifyError.validation) {
    const errors = fieldErrorsOf(fastifyError.validation as AjvError[], fastifyError.validationContext ?? 'body');
    return new Problem('invalid_request', 'the request has invalid fields', { errors });
  }
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (known) return known();
  if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new Problem('invalid_request', `the body is not valid JSON: ${error.message}`, {
      errors: [{ pointer: '/', detail: 'is not valid JSON' }],
    });
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new Problem('invalid_request', error.message);
  }
  return new Problem('internal_error', 'the hub failed to handle this request; it was logged');
}

export function sendProblem(problem: Problem, reply: FastifyReply): FastifyReply {
  return reply
    .code(problem.status)
    .header('content-type', 'application/problem+json')
    .send(JSON.stringify(problem.toBody()));
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendProblem(problem, reply);
}

/**
 * Fastify's `frameworkErrors`: what its router cannot route (a malformed
 * percent-encoding, an overlong segment) is answered before any hook runs, so
 * helmet's headers are set here; the problem is the error handler's.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(apiSecurityHeaders);
  handleError(error, request, reply);
}

/** A socket's error that is not HTTP the server can read, and what the hub answers to it. */
function clientErrorProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return new Problem('headers_too_large', 'the request headers are too large');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new Problem('request_timeout', 'the request did not arrive in time');
  return new Problem('invalid_request', 'the request is not valid HTTP/1.1');
}

/**
 * Fastify's `clientErrorHandler`: Node found no request to hand over (bad
 * syntax, an unknown method, headers too large), so the problem is written
 * to the socket, with the headers every answer carries, and it is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = clientErrorProblem(error.code);
  const body = JSON.stringify(problem.toBody());
  const headers = {
    ...apiSecurityHeaders,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  if (socket.writable)
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head.join('')}\r\n${body}`);
  socket.destroy(error);
}
