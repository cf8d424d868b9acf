/**
 * Encryption at rest for sensitive fields (GOV-SERVICES 2.20): a DocStore decorator that encrypts
 * the configured paths of each document before it reaches the adapter and decrypts them on the
 * way back, with AES-256-GCM or, where ONETHING_CIPHER=sm4, with SM4 and HMAC-SM3 (国密,
 * forms/src/crypto/aead.ts). Only values are encrypted, never the fields the adapters filter
 * or sort on, so queries, indexes and compare-and-set work unchanged on SQLite and MongoDB.
 *
 * A value is stored as one string:
 *
 *   $oenc$1$<key id>$<base64url: 12-byte IV | ciphertext | 16-byte tag>      AES-256-GCM
 *   $oenc$2$<key id>$<base64url: 16-byte IV | ciphertext | 32-byte tag>      SM4-CTR, HMAC-SM3
 *
 * The plaintext is the value's JSON (strings, numbers, whole objects and arrays alike). The
 * additional authenticated data binds the ciphertext to its collection, document id and path, so
 * a value copied into another document or field fails to decrypt instead of passing silently.
 * Values at a policy path written before encryption was switched on (plain values) are read as
 * they are; `reencryptAll` rewrites them, and values under retired keys or the other cipher,
 * with the current key and cipher.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AEADS, openOnce, sealOnce, type Aead, type CipherName } from '../../../forms/src/crypto/aead.js';
import { fieldLibrary, type FieldLibrary } from '../../../forms/src/library/index.js';
import { encodeCursor, type Doc, type DocQuery, type DocStore, type DocWrite } from '../domain/docs.js';
import type { DocIndexes } from '../domain/docs-sqlite.js';
import { blindQueries, withHashes, withoutHashes, type BlindField } from './blind-index.js';
import type { DataKeyring } from './data-key.js';

/** What every sealed value starts with; then the format's version (its cipher) and `$`. */
export const SEALED_PREFIX = '$oenc$';
/** The version each cipher writes in a value; a value's version says how to open it. */
const VERSION_OF: Record<CipherName, string> = { aes: '1', sm4: '2' };
/** The cipher of each version, for reading (a Map: a version read from a value is never a prototype key). */
const CIPHER_OF: ReadonlyMap<string, Aead> = new Map(
  (Object.keys(VERSION_OF) as CipherName[]).map((c) => [VERSION_OF[c], AEADS[c]]),
);
/** The prefix of values sealed with `cipher` under key `keyId`. */
export const sealedPrefix = (cipher: CipherName, keyId: string) =>
  `${SEALED_PREFIX}${VERSION_OF[cipher]}$${keyId}$`;

export interface CollectionPolicy {
  /** Dot paths to encrypt whole; `*` is any property of an object or any element of an array. */
  paths?: string[];
  /**
   * Below each `under` path (at any depth, through objects and arrays), every property whose key
   * is in `keys` is encrypted whole: form data whose field ids are sensitive in the field library.
   */
  keyed?: { under: string; keys: ReadonlySet<string> }[];
  /**
   * Below each path (at any depth), every object marked `sensitive: true` has its `value`
   * encrypted: an item's results, whose sensitivity the bundle declares, not the field library.
   */
  marked?: string[];
  /**
   * Below each `under` path (at any depth), every property whose key the document's own top-level
   * list `keysAt` names is encrypted whole: a licence's data holding a sensitive item result.
   */
  listed?: { under: string; keysAt: string }[];
  /** Top-level fields encrypted whole that queries still find by equality, through a hash (blind-index.ts). */
  blind?: BlindField[];
}

export type EncryptionPolicy = Readonly<Record<string, CollectionPolicy>>;

export class DecryptionError extends Error {
  readonly code = 'decryption-failed';
  constructor(
    readonly collection: string,
    readonly id: string,
    readonly path: string,
    readonly reason: 'unknown-key' | 'tampered' | 'malformed',
    keyIdText?: string,
  ) {
    super(
      reason === 'unknown-key'
        ? `cannot decrypt ${collection}/${id} field ${path}: it was encrypted with data key ${keyIdText}, which this process does not have ` +
            '(wrong ONETHING_DATA_KEY, or a rotated key missing from ONETHING_DATA_KEYS_RETIRED)'
        : reason === 'tampered'
          ? `cannot decrypt ${collection}/${id} field ${path}: authentication failed under key ${keyIdText} — ` +
            'the stored value was altered, moved from another record or field, or the key is not the one it was written with'
          : `cannot decrypt ${collection}/${id} field ${path}: the stored ciphertext is malformed`,
    );
  }
}

/** Field ids the library marks 'sensitive' (ID numbers, phones, bank accounts, children's data). */
export function sensitiveFieldIds(library: FieldLibrary = fieldLibrary): ReadonlySet<string> {
  return new Set(
    library
      .list()
      .filter((f) => f.sensitivity === 'sensitive')
      .map((f) => f.id),
  );
}

/**
 * The shipped policy: the applicant's ID number and phone, those of the agent of an assisted
 * service (帮办代办), every sensitive form field of an application and its items' sensitive
 * results, on the case and on the e-licence the item issues; stored idempotent
 * responses (they repeat whole applications); the phone of appointment bookings. Rows stored
 * before a path joined the policy hold it in clear until the next start seals it (reseal.ts;
 * `onething-admin reencrypt` at once: both run `reencryptAll`); they read as they are meanwhile.
 */
export function defaultEncryptionPolicy(library: FieldLibrary = fieldLibrary): EncryptionPolicy {
  return {
    applications: {
      paths: ['applicant.idNumber', 'applicant.phone', 'assisted.agent.idNumber', 'assisted.agent.phone'],
      keyed: [{ under: 'data', keys: sensitiveFieldIds(library) }],
      // A sensitive item result (a birth certificate number) on its item, approval and delivery entries.
      marked: ['items.*.outputs', 'timeline.*.data'],
    },
    idempotency: { paths: ['response'] },
    // An e-licence's holder (an ID number for a person), found by a hash; its data fields the
    // issuing approval named sensitive (licence-library.ts sealedKeys).
    licences: {
      paths: ['signed.licence.holderId'],
      blind: [{ field: 'holderId', index: 'holderKey' }],
      listed: [{ under: 'signed.licence.data', keysAt: 'sealedKeys' }],
    },
    appointmentSlots: { paths: ['bookings.*.phone'] },
  };
}

/** The paths at or below which a policy encrypts something. */
const sealedPaths = (p: CollectionPolicy): string[] => [
  ...(p.paths ?? []),
  ...(p.keyed ?? []).map((k) => k.under),
  ...(p.marked ?? []),
  ...(p.listed ?? []).map((l) => l.under),
];

/** Refuses a policy that would encrypt a field a query filters or sorts on (`indexes`, or `id`/`rev`). */
export function checkPolicy(policy: EncryptionPolicy, indexes: DocIndexes = {}): void {
  for (const [collection, p] of Object.entries(policy)) {
    const queried = new Set(['id', 'rev', ...(indexes[collection] ?? []).flat()]);
    const tops = sealedPaths(p).map((s) => s.split('.'));
    for (const segs of tops) {
      if (segs.length === 1 && (queried.has(segs[0]!) || segs[0] === '*')) {
        throw new Error(
          `encryption policy for ${collection} would encrypt ${segs[0]}, which queries filter or sort on`,
        );
      }
    }
  }
}

type Json = unknown;
type Transform = (value: Json, path: (string | number)[]) => Json;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies `fn` at every concrete location matching the dot path; copies only what changes (a path
 * through every timeline entry copied the whole timeline on each read and write of a case).
 */
function atPath(node: Json, segs: readonly string[], fn: Transform): Json {
  return pathIn(node, segs, 0, fn, []);
}

/** atPath from `segs[depth]`, `path` a stack pushed and popped on the way down (`fn` gets a copy). */
function pathIn(
  node: Json,
  segs: readonly string[],
  depth: number,
  fn: Transform,
  path: (string | number)[],
): Json {
  if (depth === segs.length) return node === undefined || node === null ? node : fn(node, [...path]);
  const head = segs[depth]!;
  if (Array.isArray(node)) {
    if (head !== '*' && !/^\d+$/.test(head)) return node;
    let out: Json[] | undefined;
    for (let i = 0; i < node.length; i++) {
      if (head !== '*' && Number(head) !== i) continue;
      path.push(i);
      const next = pathIn(node[i], segs, depth + 1, fn, path);
      path.pop();
      if (next !== node[i]) (out ??= node.slice())[i] = next;
    }
    return out ?? node;
  }
  if (!isObject(node)) return node;
  let out: Record<string, unknown> | undefined;
  const keys = head !== '*' ? (Object.hasOwn(node, head) ? [head] : NONE) : Object.keys(node);
  for (const k of keys) {
    path.push(k);
    const next = pathIn(node[k], segs, depth + 1, fn, path);
    path.pop();
    if (next !== node[k]) (out ??= { ...node })[k] = next;
  }
  return out ?? node;
}

const NONE: readonly string[] = [];

/**
 * Applies `fn` to every property (any depth) whose key is in `keys`; nothing below it is visited.
 * Only what changes is copied (a subtree without such a property comes back as it was), and the
 * path is built only for `fn`: the whole subtree and a path per node were copied on every read
 * and write of a case, a sizeable share of a request's garbage.
 */
function atKeys(node: Json, keys: ReadonlySet<string>, fn: Transform, at: (string | number)[]): Json {
  return sealedIn(node, (_, k) => keys.has(k), fn, [...at]);
}

/** The `value` of every object (any depth) marked `sensitive: true`, as atKeys goes. */
function atMarked(node: Json, fn: Transform, at: (string | number)[]): Json {
  return sealedIn(node, (owner, k) => k === 'value' && owner.sensitive === true, fn, [...at]);
}

/**
 * `fn` on every property `picks` names, below `path`, a stack pushed and popped on the way down
 * (`fn` gets a copy); nothing below a picked property is visited.
 */
function sealedIn(
  node: Json,
  picks: (owner: Record<string, unknown>, key: string) => boolean,
  fn: Transform,
  path: (string | number)[],
): Json {
  if (Array.isArray(node)) {
    let out: Json[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const v: Json = node[i];
      if (typeof v !== 'object' || v === null) continue;
      path.push(i);
      const next = sealedIn(v, picks, fn, path);
      path.pop();
      if (next !== v) (out ??= node.slice())[i] = next;
    }
    return out ?? node;
  }
  if (!isObject(node)) return node;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(node)) {
    const v = node[k];
    let next: Json;
    path.push(k);
    if (v !== undefined && v !== null && picks(node, k)) next = fn(v, [...path]);
    else if (typeof v === 'object' && v !== null) next = sealedIn(v, picks, fn, path);
    else next = v;
    path.pop();
    if (next !== v) (out ??= { ...node })[k] = next;
  }
  return out ?? node;
}

function applyPolicy(
  doc: Record<string, unknown>,
  policy: CollectionPolicy,
  fn: Transform,
): Record<string, unknown> {
  let out: Json = doc;
  for (const p of policy.paths ?? []) out = atPath(out, p.split('.'), fn);
  for (const k of policy.keyed ?? []) {
    out = atPath(out, k.under.split('.'), (v, at) => atKeys(v, k.keys, fn, at));
  }
  for (const under of policy.marked ?? []) {
    out = atPath(out, under.split('.'), (v, at) => atMarked(v, fn, at));
  }
  for (const b of policy.blind ?? []) out = atPath(out, [b.field], fn);
  for (const l of policy.listed ?? []) {
    const named = doc[l.keysAt];
    if (!Array.isArray(named) || !named.length) continue;
    const keys = new Set(named.filter((k): k is string => typeof k === 'string'));
    out = atPath(out, l.under.split('.'), (v, at) => atKeys(v, keys, fn, at));
  }
  return out as Record<string, unknown>;
}

const aad = (collection: string, id: string, path: (string | number)[]) =>
  Buffer.from(JSON.stringify([collection, id, path]), 'utf8');

export function isCiphertext(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(SEALED_PREFIX);
}

const SEALED_KEY_ID = new RegExp(`\\$oenc\\$(?:${[...CIPHER_OF.keys()].join('|')})\\$([0-9a-f]{8})\\$`, 'g');

/**
 * The ids of the data keys values in `docs` (read raw, below EncryptingDocStore) were sealed
 * with, from the first page of the policy's collections that holds any; [] when none does. A
 * store restored without its key shows here before a new key is made (data-key.ts).
 */
export async function sealedKeyIds(
  docs: DocStore,
  policy: EncryptionPolicy = defaultEncryptionPolicy(),
): Promise<string[]> {
  for (const collection of Object.keys(policy)) {
    let after: string | undefined;
    for (;;) {
      const page = await docs.find<Doc>(collection, { limit: 200, ...(after ? { after } : {}) });
      if (!page.length) break;
      const ids = new Set([...JSON.stringify(page).matchAll(SEALED_KEY_ID)].map((m) => m[1]!));
      if (ids.size) return [...ids].sort();
      after = encodeCursor(null, page[page.length - 1]!.id);
    }
  }
  return [];
}

/** IVs are cut from CSPRNG bytes drawn 4 kB at a time: one call per 256 to 341 values instead of one each. */
const IV_POOL_BYTES = 4096;
let ivPool = Buffer.alloc(0);
let ivNext = 0;

/** A fresh random IV of `bytes` (each is used once: the pool is never rewound). */
function randomIv(bytes: number): Buffer {
  if (ivNext + bytes > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + bytes);
  ivNext += bytes;
  return iv;
}

export function encryptValue(
  keys: DataKeyring,
  collection: string,
  id: string,
  path: (string | number)[],
  value: Json,
): string {
  if (isCiphertext(value) && opensAt(keys, collection, id, path, value)) return value;
  const cipher = keys.cipher;
  const aead = AEADS[cipher];
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  const payload = sealOnce(
    aead,
    keys.current.key,
    randomIv(aead.nonceBytes),
    aad(collection, id, path),
    plain,
  );
  return `${sealedPrefix(cipher, keys.current.id)}${payload.toString('base64url')}`;
}

/**
 * Whether a value is sealed for this place already (a document read raw and written back). One
 * that only looks sealed — `$oenc$1$…` typed into a form — is sealed like any other value: kept
 * as it was, it stood in clear and made its record unreadable (it fails to decrypt).
 */
function opensAt(
  keys: DataKeyring,
  collection: string,
  id: string,
  path: (string | number)[],
  value: string,
) {
  try {
    decryptValue(keys, collection, id, path, value);
    return true;
  } catch {
    return false;
  }
}

export function decryptValue(
  keys: DataKeyring,
  collection: string,
  id: string,
  path: (string | number)[],
  value: Json,
): Json {
  if (!isCiphertext(value)) return value; // written before encryption was switched on
  const where = path.join('.');
  // <version>$<key id>$<payload>
  const rest = value.slice(SEALED_PREFIX.length);
  const [version = '', kid = '', encoded] = rest.split('$', 3);
  const aead = CIPHER_OF.get(version);
  const payload = encoded ? Buffer.from(encoded, 'base64url') : Buffer.alloc(0);
  if (!aead || !kid || payload.length < aead.nonceBytes + aead.tagBytes)
    throw new DecryptionError(collection, id, where, 'malformed');
  const key = keys.byId.get(kid);
  if (!key) throw new DecryptionError(collection, id, where, 'unknown-key', kid);
  try {
    return JSON.parse(openOnce(aead, key, aad(collection, id, path), payload).toString('utf8'));
  } catch {
    throw new DecryptionError(collection, id, where, 'tampered', kid);
  }
}

/** Values EncryptingDocStore remembers each way (see plainByCipher); about 1 kB each at most. */
const REMEMBERED_VALUES = 20_000;

const placeOf = (collection: string, id: string, path: (string | number)[]) =>
  JSON.stringify([collection, id, path]);

export class EncryptingDocStore implements DocStore {
  /** Present when the adapter commits a batch atomically (DocStore.writeAll). */
  readonly writeAll?: (writes: DocWrite[]) => Promise<Doc[]>;

  constructor(
    private readonly inner: DocStore,
    private readonly keys: DataKeyring,
    private readonly policy: EncryptionPolicy = defaultEncryptionPolicy(),
    indexes?: DocIndexes,
  ) {
    checkPolicy(policy, indexes);
    if (inner.revOf) this.revOf = inner.revOf.bind(inner);
    const batch = inner.writeAll?.bind(inner);
    if (batch) {
      this.writeAll = async (writes) => {
        await batch(writes.map((w) => ({ ...w, doc: this.seal(w.collection, w.doc) })));
        return writes.map((w) =>
          w.expectedRev === undefined ? w.doc : { ...w.doc, rev: w.expectedRev + 1 },
        );
      };
    }
  }

  /** Revs are stored as they are: the adapter's look-up, where it has one. */
  readonly revOf?: (collection: string, id: string) => Promise<number | undefined>;

  /** The document as the adapter will store it. */
  seal<T extends Doc>(collection: string, doc: T): T {
    const blind = this.policy[collection]?.blind;
    const hashed = blind ? withHashes(this.keys, collection, blind, doc) : doc;
    return this.transform(collection, hashed, this.sealValue);
  }

  /** The document as the application sees it. */
  open<T extends Doc>(collection: string, doc: T): T {
    const blind = this.policy[collection]?.blind;
    const opened = this.transform(collection, doc, this.openValue);
    return blind ? withoutHashes(blind, opened) : opened;
  }

  /**
   * Values decrypted or encrypted lately, both ways, by where they live (collection, id, path):
   * a case is read and written back several times per request, and each value went through
   * AES-GCM every time (~8% of a request). A value read at a place and written back unchanged
   * keeps its ciphertext (only one under the current key: rotation still rewrites the others);
   * a ciphertext seen before at that place is known to authenticate there. Anything else is
   * encrypted or decrypted, and so checked, as before.
   */
  private readonly plainByCipher = new Map<string, string>();
  private readonly cipherByPlain = new Map<string, string>();

  /** `plain`: the value's JSON, so no caller can change what is remembered. */
  private remember(place: string, plain: string, cipher: string): void {
    if (this.plainByCipher.size >= REMEMBERED_VALUES) this.plainByCipher.clear();
    if (this.cipherByPlain.size >= REMEMBERED_VALUES) this.cipherByPlain.clear();
    this.plainByCipher.set(`${place}\u0000${cipher}`, plain);
    if (cipher.startsWith(this.currentPrefix)) this.cipherByPlain.set(`${place}\u0000${plain}`, cipher);
  }

  private get currentPrefix(): string {
    return sealedPrefix(this.keys.cipher, this.keys.current.id);
  }

  private readonly sealValue: typeof encryptValue = (keys, collection, id, path, value) => {
    const place = placeOf(collection, id, path);
    if (isCiphertext(value) && this.plainByCipher.has(`${place}\u0000${value}`)) return value;
    const plain = JSON.stringify(value);
    const known = this.cipherByPlain.get(`${place}\u0000${plain}`);
    if (known) return known;
    const cipher = encryptValue(keys, collection, id, path, value);
    // A value sealed already comes back as it was: it is not its own plaintext.
    if (cipher !== value) this.remember(place, plain, cipher);
    return cipher;
  };

  private readonly openValue: typeof decryptValue = (keys, collection, id, path, value) => {
    if (!isCiphertext(value)) return value;
    const place = placeOf(collection, id, path);
    const known = this.plainByCipher.get(`${place}\u0000${value}`);
    if (known !== undefined) return JSON.parse(known);
    const plain = decryptValue(keys, collection, id, path, value);
    this.remember(place, JSON.stringify(plain), value);
    return plain;
  };

  private transform<T extends Doc>(collection: string, doc: T, fn: typeof decryptValue): T {
    const p = this.policy[collection];
    if (!p) return doc;
    return applyPolicy(doc as unknown as Record<string, unknown>, p, (v, at) =>
      fn(this.keys, collection, doc.id, at, v),
    ) as unknown as T;
  }

  private checkWhere(collection: string, where: DocQuery['where']): void {
    const p = this.policy[collection];
    if (!p || !where) return;
    for (const key of Object.keys(where)) {
      const sealed = sealedPaths(p).some((s) => s === key);
      if (sealed)
        throw new Error(`${collection}.${key} is encrypted at rest and cannot be used in a query filter`);
    }
  }

  async put<T extends Doc>(collection: string, doc: T, expectedRev: number): Promise<T> {
    await this.inner.put(collection, this.seal(collection, doc), expectedRev);
    return { ...doc, rev: expectedRev + 1 };
  }

  async replace<T extends Doc>(collection: string, doc: T): Promise<void> {
    await this.inner.replace(collection, this.seal(collection, doc));
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | undefined> {
    const doc = await this.inner.get<T>(collection, id);
    return doc && this.open(collection, doc);
  }

  async find<T extends Doc>(collection: string, query: DocQuery = {}): Promise<T[]> {
    this.checkWhere(collection, query.where);
    const blind = this.blindQueries(collection, query);
    if (!blind) return (await this.inner.find<T>(collection, query)).map((d) => this.open(collection, d));
    const found = (await Promise.all(blind.map((q) => this.inner.find<T>(collection, q)))).flat();
    return found
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((d) => this.open(collection, d));
  }

  async count(collection: string, where?: DocQuery['where']): Promise<number> {
    this.checkWhere(collection, where);
    const blind = this.blindQueries(collection, { where });
    if (!blind) return this.inner.count(collection, where);
    const counts = await Promise.all(blind.map((q) => this.inner.count(collection, q.where)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private blindQueries(collection: string, query: DocQuery): DocQuery[] | undefined {
    const fields = this.policy[collection]?.blind;
    return fields && blindQueries(this.keys, collection, fields, query);
  }

  /** Passes close() through, so whoever closes the store closes the adapter. */
  close(): unknown {
    return (this.inner as { close?: () => unknown }).close?.();
  }

  /**
   * Rewrites every document of the policy's collections whose sealed form would change: plain
   * values written before encryption, and values under retired keys, end up under the current
   * key. Compare-and-set per document, so it may run beside a live server; conflicts are retried
   * on the next run. Returns the number of documents rewritten. `betweenPages` runs after each
   * page of 200 (a server's pass gives its requests their turn there).
   */
  async reencryptAll(
    betweenPages: () => Promise<void> = async () => {},
  ): Promise<{ rewritten: number; conflicts: number }> {
    let rewritten = 0;
    let conflicts = 0;
    for (const collection of Object.keys(this.policy)) {
      let after: string | undefined;
      for (;;) {
        const page = await this.inner.find<Doc>(collection, { limit: 200, ...(after ? { after } : {}) });
        if (!page.length) break;
        after = encodeCursor(null, page[page.length - 1]!.id);
        for (const raw of page) {
          if (!this.needsRewrite(collection, raw)) continue;
          try {
            await this.inner.put(collection, this.seal(collection, this.open(collection, raw)), raw.rev);
            rewritten++;
          } catch (err) {
            if ((err as { code?: string }).code !== 'conflict') throw err;
            conflicts++;
          }
        }
        await betweenPages();
      }
    }
    return { rewritten, conflicts };
  }

  /**
   * What a full `reencryptAll` leaves everything sealed as: the policy (a digest of it), the
   * current key and the cipher. Stored once a pass found nothing left (reseal.ts), it tells
   * whether another is due.
   */
  get sealedAs(): { policy: string; keyId: string; cipher: CipherName } {
    return {
      policy: policyDigest(this.policy),
      keyId: this.keys.current.id,
      cipher: this.keys.cipher,
    };
  }

  private needsRewrite(collection: string, raw: Doc): boolean {
    let stale = false;
    applyPolicy(raw as unknown as Record<string, unknown>, this.policy[collection]!, (v) => {
      if (!isCiphertext(v) || !v.startsWith(this.currentPrefix)) stale = true;
      return v;
    });
    return stale;
  }
}

/** A digest of a policy's JSON, its sets as sorted lists: equal for the same policy in any process. */
export function policyDigest(policy: EncryptionPolicy): string {
  const json = JSON.stringify(policy, (_key, value: unknown) =>
    value instanceof Set ? [...(value as Set<string>)].sort() : value,
  );
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}
