/**
 * Data keys for encryption at rest (AES-256-GCM): the current key encrypts, every key in the ring
 * decrypts, so keys can rotate without rewriting the store at once.
 *
 *   ONETHING_DATA_KEY           base64 of 32 random bytes: the current key
 *   ONETHING_DATA_KEYS_RETIRED  comma-separated base64 keys still accepted for reading
 *
 * Without ONETHING_DATA_KEY a key is generated once into <dataDir>/data.key (mode 0600) with a
 * warning: fine for a demo, not for production (the key then lies beside the data it protects).
 * Never for a store that already holds sealed data (openDataKeys): that is a data directory
 * restored without its key, and a new key would leave every case in it unreadable.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cipherFromEnv, type CipherName } from '../../../forms/src/crypto/aead.js';
import { SEAL_MARKERS } from '../../../forms/src/uploads/index.js';
import type { DocStore } from '../domain/docs.js';
import { sealedKeyIds } from './encryption.js';

export const KEY_BYTES = 32;
export const DATA_KEY_FILE = 'data.key';
/** Every sealed file's marker has this length (forms/src/uploads/sealed.ts). */
const MARKER_BYTES = SEAL_MARKERS[0]!.length;

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
  /** What new values and files are sealed with (ONETHING_CIPHER): AES-256-GCM unless 'sm4'. */
  cipher: CipherName;
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

export function keyring(
  current: DataKey,
  retired: DataKey[] = [],
  source = 'given',
  cipher: CipherName = 'aes',
): DataKeyring {
  const byId = new Map<string, Buffer>();
  for (const k of [...retired, current]) {
    const other = byId.get(k.id);
    if (other && !other.equals(k.key)) throw new DataKeyError(`two different data keys share the id ${k.id}`);
    byId.set(k.id, k.key);
  }
  return { current, byId, source, cipher };
}

/** A fresh random key (tests, `onething-admin new-key`). */
export function generateDataKey(): DataKey {
  const key = randomBytes(KEY_BYTES);
  return { id: keyId(key), key };
}

function retiredKeysOf(env: NodeJS.ProcessEnv): DataKey[] {
  return (env.ONETHING_DATA_KEYS_RETIRED ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, i) => parseDataKey(s, `ONETHING_DATA_KEYS_RETIRED[${i}]`));
}

/**
 * The keyring from ONETHING_DATA_KEY, else from an existing <dataDir>/data.key (with `warn`
 * called when others than its owner may read it); undefined when there is neither.
 */
export function existingDataKeys(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
): DataKeyring | undefined {
  const retired = retiredKeysOf(env);
  if (env.ONETHING_DATA_KEY) {
    return keyring(
      parseDataKey(env.ONETHING_DATA_KEY, 'ONETHING_DATA_KEY'),
      retired,
      'env',
      cipherFromEnv(env),
    );
  }
  const file = join(dataDir, DATA_KEY_FILE);
  if (!existsSync(file)) return undefined;
  warnIfReadableByOthers(file, warn);
  return keyring(parseDataKey(readKeyFile(file), file), retired, file, cipherFromEnv(env));
}

/** Calls `warn` when group or others may read `file` (a key beside the data it protects). */
export function warnIfReadableByOthers(file: string, warn: (message: string) => void): void {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    warn(
      `${file} may be read by other users (mode ${mode.toString(8)}): restrict it with \`chmod 600 ${file}\``,
    );
}

/**
 * The data keyring for this process: ONETHING_DATA_KEY when set, else <dataDir>/data.key,
 * generated on first start (mode 0600) with `warn` called once. Retired keys come from
 * ONETHING_DATA_KEYS_RETIRED. Throws DataKeyError on a malformed key: better not to start than
 * to write data no one can read. On a store that may hold data, use openDataKeys.
 */
export function loadOrCreateDataKey(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`WARNING: ${m}\n`),
): DataKeyring {
  const existing = existingDataKeys(dataDir, env, warn);
  if (existing) return existing;
  const file = join(dataDir, DATA_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
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
  return keyring(parseDataKey(readKeyFile(file), file), retiredKeysOf(env), file, cipherFromEnv(env));
}

/**
 * The ids of the keys the store's documents (`docs` read raw, below encryption) and the files
 * under <dataDir>/uploads were sealed with, and those of them this environment lacks (neither
 * the current key, ONETHING_DATA_KEY or data.key, nor a retired one).
 */
export async function keysInUse(
  docs: DocStore,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ inUse: string[]; missing: string[] }> {
  const known = existingDataKeys(dataDir, env)?.byId ?? new Map(retiredKeysOf(env).map((k) => [k.id, k]));
  const inUse = [...new Set([...(await sealedKeyIds(docs)), ...sealedUploadKeyIds(dataDir)])].sort();
  return { inUse, missing: inUse.filter((id) => !known.has(id)) };
}

/** What an operator reads when the store needs keys this process lacks. */
export function missingKeysMessage(missing: string[], dataDir: string): string {
  return (
    `the store holds data sealed with data key ${missing.join(', ')}, which neither ONETHING_DATA_KEY, ` +
    `ONETHING_DATA_KEYS_RETIRED nor ${join(dataDir, DATA_KEY_FILE)} provides (a data directory restored ` +
    `without its key?): set ONETHING_DATA_KEY to that key or put back the ${DATA_KEY_FILE} backed up with ` +
    'this data; a new key would leave all of it unreadable'
  );
}

/**
 * loadOrCreateDataKey for a process on a store: where it would generate a key, it first looks
 * for data sealed under a key it does not have, and refuses (DataKeyError naming the key ids)
 * rather than start with a new key beside data it cannot read.
 */
export async function openDataKeys(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
  docs: DocStore,
): Promise<DataKeyring> {
  const existing = existingDataKeys(dataDir, env, warn);
  if (existing) return existing;
  const { missing } = await keysInUse(docs, dataDir, env);
  if (missing.length) throw new DataKeyError(`not starting: ${missingKeysMessage(missing, dataDir)}`);
  return loadOrCreateDataKey(dataDir, env, warn);
}

/**
 * Key ids of sealed files under <dataDir>/uploads: the first sealed one among the first `look`
 * files (layout in forms/src/uploads/sealed.ts: the marker, then the key id in 8 ASCII bytes).
 */
export function sealedUploadKeyIds(dataDir: string, look = 50): string[] {
  const root = join(dataDir, 'uploads');
  for (const folder of entriesOf(root, 'folders')) {
    for (const name of entriesOf(join(root, folder), 'files')) {
      if (look-- <= 0) return [];
      const head = headOf(join(root, folder, name), MARKER_BYTES + 8);
      const marker = head.subarray(0, MARKER_BYTES);
      if (SEAL_MARKERS.some((m) => m.equals(marker)) && head.length === MARKER_BYTES + 8)
        return [head.subarray(MARKER_BYTES).toString('latin1')];
    }
  }
  return [];
}

/** The folders or files in a directory, [] when it is not there. */
function entriesOf(dir: string, kind: 'folders' | 'files'): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => (kind === 'folders' ? e.isDirectory() : e.isFile()))
    .map((e) => e.name);
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
function headOf(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

function readKeyFile(file: string): string {
  // Another process may have created the file an instant ago and not written it yet.
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(file, 'utf8');
    if (text.trim() || attempt >= 50) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
