import { ConfigError } from './config.ts';

/**
 * What a person at the command line reads when a command cannot go on: one
 * line that says what is wrong and what to do, never a stack trace (set
 * LINTAS_DEBUG=1 to see one). The errors recognised here are those a wrong
 * setting or a missing service causes; anything else is a fault of the hub.
 */
export function failureLine(error: unknown): string {
  return `lintas: ${describe(error).replace(/\s*\n\s*/g, ' ')}`;
}

/** Errors of a PostgreSQL server that could not be reached, has no such database, or refused the login. */
const unansweredCodes = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '3D000', '28P01', '28000']);

/** The start failed before any database took a write: nothing but what this process made is to be undone. */
export function databaseNeverAnswered(error: unknown): boolean {
  return error instanceof Error && unansweredCodes.has(String((error as SystemError).code));
}

type SystemError = Error & { code?: unknown; address?: unknown; port?: unknown; syscall?: unknown };

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.line;
  if (!(error instanceof Error)) return `stopped by ${String(error)}`;
  const known = listenFailure(error) ?? postgresFailure(error) ?? sqliteFailure(error) ?? ownFailure(error);
  return known ?? `${error.message} (an unexpected error; LINTAS_DEBUG=1 prints its stack)`;
}

/** The hub's own refusals already say what to do in their message. */
function ownFailure(error: Error): string | undefined {
  const own = ['MasterKeyMismatchError', 'DatabaseInUseError', 'CommandRefusal'];
  return own.includes(error.name) ? error.message : undefined;
}

function listenFailure(error: SystemError): string | undefined {
  if (error.syscall !== 'listen') return undefined;
  const where = `${String(error.address)}:${String(error.port)}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where} is already in use: stop what listens there, or choose another port with --port (or LINTAS_PORT)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: this machine has no such address; choose another with --host (or LINTAS_HOST)`;
    case 'EACCES':
      return `no permission to listen on ${where}: choose a port above 1023 with --port (or LINTAS_PORT)`;
    default:
      return `cannot listen on ${where}: ${error.message}`;
  }
}

/** node-postgres passes the server's SQLSTATE (`code`) or the socket's error code through unchanged. */
function postgresFailure(error: SystemError): string | undefined {
  switch (error.code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return (
        `cannot reach the PostgreSQL server at ${String(error.address)}:${String(error.port)} ` +
        `(${error.code}): is it running, and is the address in --db (or LINTAS_DB) right?`
      );
    case 'ENOTFOUND':
      return `cannot reach the PostgreSQL server: ${error.message}; correct the host in --db (or LINTAS_DB)`;
    case '3D000':
      return `PostgreSQL says ${error.message}: create it (createdb, or CREATE DATABASE) or correct --db (or LINTAS_DB)`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the login: ${error.message}; correct the user and password in --db (or LINTAS_DB)`;
    default:
      return undefined;
  }
}

function sqliteFailure(error: SystemError): string | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('SQLITE_')) return undefined;
  if (error.code === 'SQLITE_NOTADB')
    return 'the --db file (or LINTAS_DB) is not a SQLite database: point it at the hub database';
  return `SQLite: ${error.message} (${error.code})`;
}
