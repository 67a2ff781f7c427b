import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { Random } from './random.ts';

/**
 * A value that must never be printed or logged. It shows as `[redacted]` in
 * console output, JSON and string interpolation; `reveal()` is the one way in.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two secrets in constant time (through their hashes, so lengths may differ). */
export function secretsEqual(given: string, expected: Secret): boolean {
  const left = createHash('sha256').update(given).digest();
  const right = createHash('sha256').update(expected.reveal()).digest();
  return timingSafeEqual(left, right);
}

const masterKeyBytes = 32;
const nonceBytes = 12;
const envelopeVersion = 'v1';

/** Encrypts with AES-256-GCM under the master key: `v1.<nonce>.<tag>.<ciphertext>`, base64url parts. */
export function sealSecret(plaintext: string, masterKey: Secret, random: Random): string {
  const nonce = random.bytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', masterKeyBuffer(masterKey), nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [nonce, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
  return [envelopeVersion, ...parts].join('.');
}

export function openSecret(sealed: string, masterKey: Secret): Secret {
  const [version, nonce, tag, ciphertext] = sealed.split('.');
  if (version !== envelopeVersion || !nonce || !tag || ciphertext === undefined) {
    throw new Error('sealed secret has an unknown format');
  }
  const decipher = createDecipheriv('aes-256-gcm', masterKeyBuffer(masterKey), Buffer.from(nonce, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return new Secret(plaintext.toString('utf8'));
  } catch {
    throw new MasterKeyMismatchError();
  }
}

/**
 * A sealed secret that does not open: the data was sealed under another
 * master key (or altered). OpenSSL only says "unable to authenticate data",
 * which tells an operator nothing about what to fix.
 */
export class MasterKeyMismatchError extends Error {
  constructor() {
    super(
      'the master key does not open the secrets in this database: start the hub with the LINTAS_MASTER_KEY ' +
        '(or the master key file in its data directory) that the database was first used with',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

function masterKeyBuffer(masterKey: Secret): Buffer {
  const key = Buffer.from(masterKey.reveal(), 'base64url');
  if (key.length !== masterKeyBytes) throw new Error('master key must be 32 bytes');
  return key;
}

export function isValidMasterKey(text: string): boolean {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(text) && Buffer.from(text, 'base64url').length === masterKeyBytes;
}

export function generateMasterKey(random: Random): Secret {
  return new Secret(random.bytes(masterKeyBytes).toString('base64url'));
}
