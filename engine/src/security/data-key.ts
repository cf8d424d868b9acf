/**
 * Data keys for encryption at rest (AES-256-GCM): the current key encrypts, every key in the ring
 * decrypts, so keys can rotate without rewriting the store at once.
 *
 *   ONETHING_DATA_KEY           base64 of 32 random bytes: the current key
 *   ONETHING_DATA_KEYS_RETIRED  comma-separated base64 keys still accepted for reading
 *
 * Without ONETHING_DATA_KEY a key is generated once into <dataDir>/data.key (mode 0600) with a
 * warning: fine for a demo, not for production (the key then lies beside the data it protects).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_BYTES = 32;
export const DATA_KEY_FILE = 'data.key';

export interface DataKey {
  /** Short public id written into every ciphertext: 8 hex digits of SHA-256 over the key. */
  id: string;
  key: Buffer;
}

export interface DataKeyring {
  current: DataKey;
  /** Every key that may decrypt, the current one included, by id. */
  byId: ReadonlyMap<string, Buffer>;
  /** Where the current key came from: 'env' or the file path. */
  source: string;
}

export class DataKeyError extends Error {
  readonly code = 'data-key';
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('onething-data-key\u0000').update(key).digest('hex').slice(0, 8);
}

/** Decodes one base64 (or base64url) key of exactly 32 bytes; `what` names it in the error. */
export function parseDataKey(text: string, what: string): DataKey {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new DataKeyError(
      `${what} is not base64 (expected 32 random bytes, e.g. \`openssl rand -base64 32\`)`,
    );
  }
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new DataKeyError(`${what} decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
  }
  return { id: keyId(key), key };
}

export function keyring(current: DataKey, retired: DataKey[] = [], source = 'given'): DataKeyring {
  const byId = new Map<string, Buffer>();
  for (const k of [...retired, current]) {
    const other = byId.get(k.id);
    if (other && !other.equals(k.key)) throw new DataKeyError(`two different data keys share the id ${k.id}`);
    byId.set(k.id, k.key);
  }
  return { current, byId, source };
}

/** A fresh random key (tests, `onething-admin new-key`). */
export function generateDataKey(): DataKey {
  const key = randomBytes(KEY_BYTES);
  return { id: keyId(key), key };
}

/**
 * The data keyring for this process: ONETHING_DATA_KEY when set, else <dataDir>/data.key,
 * generated on first start (mode 0600) with `warn` called once. Retired keys come from
 * ONETHING_DATA_KEYS_RETIRED. Throws DataKeyError on a malformed key: better not to start than
 * to write data no one can read.
 */
export function loadOrCreateDataKey(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`WARNING: ${m}\n`),
): DataKeyring {
  const retired = (env.ONETHING_DATA_KEYS_RETIRED ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, i) => parseDataKey(s, `ONETHING_DATA_KEYS_RETIRED[${i}]`));
  if (env.ONETHING_DATA_KEY) {
    return keyring(parseDataKey(env.ONETHING_DATA_KEY, 'ONETHING_DATA_KEY'), retired, 'env');
  }
  const file = join(dataDir, DATA_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = generateDataKey();
    try {
      // 'wx': when two processes start together only one key is ever written; the other reads it.
      writeFileSync(file, `${fresh.key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      warn(
        `no ONETHING_DATA_KEY: generated a data encryption key into ${file} (key id ${fresh.id}). ` +
          'Sensitive fields (ID numbers, phones, bank accounts) are encrypted with it; without it they cannot be read. ' +
          'Back it up apart from the database, and in production set ONETHING_DATA_KEY from a secret store instead.',
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return keyring(parseDataKey(readKeyFile(file), file), retired, file);
}

function readKeyFile(file: string): string {
  // Another process may have created the file an instant ago and not written it yet.
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(file, 'utf8');
    if (text.trim() || attempt >= 50) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
