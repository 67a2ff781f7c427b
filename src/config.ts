import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type RateLimitSettings, idempotencyLockMs, rateLimitDefaults, rateLimitPerMinuteMax } from './http/index.ts';
import { type Random, Secret, generateMasterKey, invariant, isValidMasterKey, newToken } from './platform/index.ts';
import { type DisputeReason, parseRaiseWindows, raiseWindowDaysDefault, raiseWindowDaysMax } from './disputes/index.ts';
import { type SettlementCutoff, parseCutoff } from './settlement/index.ts';

/** Settings after validation; secrets are typed so they never print. */
export type Config = {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly dataDir: string;
  readonly publicUrl: string;
  readonly operatorToken: Secret;
  readonly operatorTokenFile: string | undefined;
  readonly masterKey: Secret;
  readonly allowPrivateUrls: boolean;
  readonly qrGuid: string;
  /** When the open settlement window closes each day (LINTAS_SETTLEMENT_CUTOFF); unset: only the operator closes. */
  readonly settlementCutoff?: SettlementCutoff | undefined;
  /** A till charge still unknown this long after it became unknown is reversed (LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS). */
  readonly posUnknownTimeoutSeconds: number;
  /** How long the hub waits for a wallet to authorise a till charge (LINTAS_POS_AUTHORIZATION_DEADLINE_MS). */
  readonly posAuthorizationDeadlineMs: number;
  /** Days after a payment's commit an issuer may dispute it, per reason (LINTAS_DISPUTE_WINDOW_DAYS over the defaults). */
  readonly disputeRaiseWindowDays: Readonly<Record<DisputeReason, number>>;
  /** Requests a minute per caller and per address (LINTAS_RATE_LIMIT_PER_MINUTE, LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE). */
  readonly rateLimit: RateLimitSettings;
};

export type ConfigInput = {
  port?: string | undefined;
  host?: string | undefined;
  db?: string | undefined;
  dataDir?: string | undefined;
  publicUrl?: string | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }

  /** Every problem on one line, for the command line. */
  get line(): string {
    return `invalid configuration: ${this.problems.join('; ')}`;
  }
}

/** A command that cannot run where it was started; the message says what to do instead. */
export class CommandRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandRefusal';
  }
}

/**
 * A secret a command on an existing hub did not find. Most such commands never reveal one; one that does
 * stops with what to give it, rather than a new secret being made that the hub's data does not know.
 */
class AbsentSecret extends Secret {
  constructor(private readonly refusal: string) {
    super('');
  }

  override reveal(): string {
    throw new CommandRefusal(this.refusal);
  }
}

const portMax = 65_535;
const operatorTokenMinChars = 24;
const defaultQrGuid = 'org.lintas.hub';
export const posUnknownTimeoutSecondsDefault = 60;
export const posUnknownTimeoutSecondsMax = 24 * 60 * 60;
export const posAuthorizationDeadlineMsDefault = 10_000;
/** Below the idempotency lock (60 s), so a till's retry never runs while the first attempt still waits. */
export const posAuthorizationDeadlineMsMax = 30_000;
invariant(
  posAuthorizationDeadlineMsMax < idempotencyLockMs,
  `the longest till authorisation deadline (${posAuthorizationDeadlineMsMax} ms) is below the idempotency lock ` +
    `(${idempotencyLockMs} ms)`,
);
export const posAuthorizationDeadlineMsMin = 100;

type Settings = {
  port: number;
  host: string;
  db: string;
  dataDir: string;
  publicUrl: string;
  allowPrivateUrls: boolean;
  qrGuid: string;
  settlementCutoff: SettlementCutoff | undefined;
  posUnknownTimeoutSeconds: number;
  posAuthorizationDeadlineMs: number;
  disputeRaiseWindowDays: Readonly<Record<DisputeReason, number>>;
  rateLimit: RateLimitSettings;
};

/** Flags win over environment; every bad value is reported, not only the first. */
export function readSettings(flags: ConfigInput, env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = [];
  const portText = flags.port ?? env.LINTAS_PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > portMax) {
    problems.push(`port "${portText}" (--port or LINTAS_PORT) must be an integer from 0 to ${portMax}`);
  }
  const host = flags.host ?? env.LINTAS_HOST ?? '127.0.0.1';
  if (host.length === 0) problems.push('host (--host or LINTAS_HOST) must not be empty');
  const dataDir = resolve(flags.dataDir ?? env.LINTAS_DATA_DIR ?? './data');
  const dbText = flags.db ?? env.LINTAS_DB ?? join(dataDir, 'lintas.sqlite');
  const db = checkDatabaseLocation(dbText, problems);
  const publicUrlText = flags.publicUrl ?? env.LINTAS_PUBLIC_URL;
  const publicUrl =
    publicUrlText === undefined
      ? `http://${host}:${Number.isNaN(port) ? 8080 : port}`
      : checkPublicUrl(publicUrlText, problems);
  const operatorToken = env.LINTAS_OPERATOR_TOKEN;
  if (operatorToken !== undefined && operatorToken.length < operatorTokenMinChars) {
    problems.push(`LINTAS_OPERATOR_TOKEN must have at least ${operatorTokenMinChars} characters`);
  }
  const masterKey = env.LINTAS_MASTER_KEY;
  if (masterKey !== undefined && !isValidMasterKey(masterKey)) {
    problems.push(
      'LINTAS_MASTER_KEY must be 32 bytes in base64url (43 characters); `openssl rand -base64 32` makes one',
    );
  }
  checkLogFormat(env, problems);
  const allowPrivate = env.LINTAS_ALLOW_PRIVATE_URLS ?? '0';
  if (allowPrivate !== '0' && allowPrivate !== '1') problems.push('LINTAS_ALLOW_PRIVATE_URLS must be 0 or 1');
  const cutoffText = env.LINTAS_SETTLEMENT_CUTOFF;
  const settlementCutoff = cutoffText === undefined ? undefined : parseCutoff(cutoffText);
  if (cutoffText !== undefined && settlementCutoff === undefined) {
    problems.push(
      `LINTAS_SETTLEMENT_CUTOFF "${cutoffText}" must be HH:MM and an IANA time zone, such as "23:00 Asia/Jakarta"`,
    );
  }
  const posUnknownTimeoutSeconds = integerSetting(
    env,
    'LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS',
    posUnknownTimeoutSecondsDefault,
    [1, posUnknownTimeoutSecondsMax],
    problems,
  );
  const posAuthorizationDeadlineMs = integerSetting(
    env,
    'LINTAS_POS_AUTHORIZATION_DEADLINE_MS',
    posAuthorizationDeadlineMsDefault,
    [posAuthorizationDeadlineMsMin, posAuthorizationDeadlineMsMax],
    problems,
  );
  const disputeRaiseWindowDays = disputeWindowsSetting(env, problems);
  const rateLimit = rateLimitSettings(env, problems);
  if (problems.length > 0 || disputeRaiseWindowDays === undefined) throw new ConfigError(problems);
  return {
    port,
    host,
    db,
    dataDir,
    publicUrl,
    allowPrivateUrls: allowPrivate === '1',
    qrGuid: env.LINTAS_QR_GUID ?? defaultQrGuid,
    settlementCutoff,
    posUnknownTimeoutSeconds,
    posAuthorizationDeadlineMs,
    disputeRaiseWindowDays,
    rateLimit,
  };
}

/** Read where the logger is made (server.ts); checked here with every other setting. */
function checkLogFormat(env: NodeJS.ProcessEnv, problems: string[]): void {
  const format = env.LINTAS_LOG_FORMAT;
  if (format !== undefined && format !== 'json' && format !== 'pretty')
    problems.push('LINTAS_LOG_FORMAT must be json or pretty (unset: pretty on a terminal, JSON lines otherwise)');
}

/** LINTAS_RATE_LIMIT_PER_MINUTE per caller and LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE per address. */
function rateLimitSettings(env: NodeJS.ProcessEnv, problems: string[]): RateLimitSettings {
  return {
    perCallerPerMinute: integerSetting(
      env,
      'LINTAS_RATE_LIMIT_PER_MINUTE',
      rateLimitDefaults.perCallerPerMinute,
      [1, rateLimitPerMinuteMax],
      problems,
    ),
    anonymousPerMinute: integerSetting(
      env,
      'LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE',
      rateLimitDefaults.anonymousPerMinute,
      [1, rateLimitPerMinuteMax],
      problems,
    ),
  };
}

/** LINTAS_DISPUTE_WINDOW_DAYS over the default raise windows; undefined (and a problem) when it does not parse. */
function disputeWindowsSetting(env: NodeJS.ProcessEnv, problems: string[]) {
  const text = env.LINTAS_DISPUTE_WINDOW_DAYS;
  const windows = text === undefined ? raiseWindowDaysDefault : parseRaiseWindows(text);
  if (windows === undefined) {
    problems.push(
      `LINTAS_DISPUTE_WINDOW_DAYS "${text}" must be reason=days pairs separated by commas, days from 1 to ` +
        `${raiseWindowDaysMax}, such as "other=45,duplicate=30"`,
    );
  }
  return windows;
}

/** An integer environment setting within [min, max], or its default when unset. */
function integerSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  [min, max]: [number, number],
  problems: string[],
): number {
  const text = env[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    problems.push(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function checkDatabaseLocation(text: string, problems: string[]): string {
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    try {
      new URL(text);
    } catch {
      problems.push(`database URL "${redactUrl(text)}" is not a valid URL`);
    }
    return text;
  }
  if (text.length === 0) problems.push('database (--db or LINTAS_DB) must be a file path or a postgres:// URL');
  return isAbsolute(text) ? text : resolve(text);
}

function checkPublicUrl(text: string, problems: string[]): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return text.replace(/\/+$/, '');
  } catch {
    problems.push(`public URL "${text}" (LINTAS_PUBLIC_URL) must be an http(s) URL`);
    return text;
  }
}

/** Shows a database URL without its password. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return text.replace(/:[^:@/]*@/, ':redacted@');
  }
}

/**
 * Reads a secret from the environment, else from a 0600 file in the data
 * directory, else makes one and writes it there. Only the path is ever shown.
 */
function secretFromFile(dataDir: string, fileName: string, make: () => Secret): { secret: Secret; file: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, fileName);
  if (existsSync(file)) return { secret: new Secret(readFileSync(file, 'utf8').trim()), file };
  const secret = make();
  writeFileSync(file, `${secret.reveal()}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { secret, file };
}

/** How to point a command at a hub's data, for the messages that refuse to guess. */
const whereTheHubIs =
  'run the command in the folder the hub was started from, or give the data directory (--data-dir or ' +
  'LINTAS_DATA_DIR) or the database (--db or LINTAS_DB)';

function isPostgres(location: string): boolean {
  return location.startsWith('postgres://') || location.startsWith('postgresql://');
}

/**
 * For commands on a hub that already exists (a placard, a settlement, a call): reads the data directory
 * and never writes to it. A missing SQLite database is refused with what to do instead of being created,
 * and a secret that is not there is only missed if the command needs it.
 */
export function loadExistingConfig(flags: ConfigInput, env: NodeJS.ProcessEnv): Config {
  const settings = readSettings(flags, env);
  if (!isPostgres(settings.db) && settings.db !== ':memory:' && !existsSync(settings.db))
    throw new CommandRefusal(`no database at ${settings.db}: ${whereTheHubIs}`);
  const existing = (envValue: string | undefined, fileName: string, name: string) => {
    const file = join(settings.dataDir, fileName);
    if (envValue !== undefined) return { secret: new Secret(envValue), file: undefined };
    if (existsSync(file)) return { secret: new Secret(readFileSync(file, 'utf8').trim()), file };
    return { secret: new AbsentSecret(`this command needs ${name} and there is no ${file}: ${whereTheHubIs}`), file };
  };
  const operator = existing(env.LINTAS_OPERATOR_TOKEN, 'operator-token', 'the operator token');
  const master = existing(env.LINTAS_MASTER_KEY, 'master.key', 'the master key');
  return { ...settings, operatorToken: operator.secret, operatorTokenFile: operator.file, masterKey: master.secret };
}

/** For the commands that serve a hub: a first start makes the data directory and its secrets. */
export function loadConfig(flags: ConfigInput, env: NodeJS.ProcessEnv, random: Random): Config {
  const settings = readSettings(flags, env);
  const operator =
    env.LINTAS_OPERATOR_TOKEN !== undefined
      ? { secret: new Secret(env.LINTAS_OPERATOR_TOKEN), file: undefined }
      : secretFromFile(settings.dataDir, 'operator-token', () => new Secret(newToken('op_', random, 32)));
  const master =
    env.LINTAS_MASTER_KEY !== undefined
      ? new Secret(env.LINTAS_MASTER_KEY)
      : secretFromFile(settings.dataDir, 'master.key', () => generateMasterKey(random)).secret;
  if (!isValidMasterKey(master.reveal()))
    throw new ConfigError([`the master key file in ${settings.dataDir} is not a 32-byte base64url key`]);
  return { ...settings, operatorToken: operator.secret, operatorTokenFile: operator.file, masterKey: master };
}
