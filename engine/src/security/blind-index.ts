/**
 * Blind indexes: a sealed field that queries still find by equality (an e-licence's holder, an ID
 * number). Beside the ciphertext the document stores a keyed hash of the value (HMAC-SHA-256, or
 * HMAC-SM3 where the keyring seals with SM4, under a key derived from the data key, bound to the
 * collection and field), and a query on the field asks for the hash instead. Equal values give
 * equal hashes, so the index says which documents share a holder, but not who it is without the
 * key.
 *
 * Hashes under every key the keyring holds, by both hashes, are asked for, so documents written
 * before a key rotation or a change of cipher are found until the sealing pass (reseal.ts) moves
 * them to the current key; documents written before the field was sealed (plain, no hash) are
 * found by the plain value.
 */
import { createHmac } from 'node:crypto';
import type { Doc, DocQuery } from '../domain/docs.js';
import type { CipherName } from '../../../forms/src/crypto/aead.js';
import type { DataKeyring } from './data-key.js';

export interface BlindField {
  /** The top-level field, sealed. */
  field: string;
  /** The top-level field holding its hash, indexed in the store. */
  index: string;
}

/** The HMAC of each cipher's hashes (forms/src/crypto/aead.ts): SM3 beside SM4. */
const HASH_OF: Record<CipherName, 'sha256' | 'sm3'> = { aes: 'sha256', sm4: 'sm3' };
const HASHES = Object.values(HASH_OF);

const derived = new Map<'sha256' | 'sm3', WeakMap<Buffer, Buffer>>(HASHES.map((h) => [h, new WeakMap()]));

/** The hashing key for a data key: never the data key itself. */
function hashKey(dataKey: Buffer, hash: 'sha256' | 'sm3'): Buffer {
  const known = derived.get(hash)!;
  let key = known.get(dataKey);
  if (!key) {
    key = createHmac(hash, dataKey).update('onething blind index 1').digest();
    known.set(dataKey, key);
  }
  return key;
}

export function blindHash(
  dataKey: Buffer,
  collection: string,
  field: string,
  value: string,
  hash: 'sha256' | 'sm3' = 'sha256',
): string {
  return createHmac(hash, hashKey(dataKey, hash))
    .update(JSON.stringify([collection, field, value]))
    .digest('base64url');
}

/** The document with each blind field's hash under the current key (a plain string value only). */
export function withHashes<T extends Doc>(
  keys: DataKeyring,
  collection: string,
  fields: readonly BlindField[],
  doc: T,
): T {
  const given = doc as unknown as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const { field, index } of fields) {
    const value = given[field];
    // A ciphertext (encryption.ts SEALED_PREFIX) written back as read raw keeps the hash it came with.
    if (typeof value === 'string' && value.startsWith('$oenc$')) continue;
    out ??= { ...given };
    if (typeof value === 'string')
      out[index] = blindHash(keys.current.key, collection, field, value, HASH_OF[keys.cipher]);
    else delete out[index];
  }
  return (out ?? doc) as T;
}

/** The document without the hashes: the application never sees them. */
export function withoutHashes<T extends Doc>(fields: readonly BlindField[], doc: T): T {
  if (!fields.some((f) => Object.hasOwn(doc, f.index))) return doc;
  const out: Record<string, unknown> = { ...(doc as unknown as Record<string, unknown>) };
  for (const f of fields) delete out[f.index];
  return out as unknown as T;
}

/**
 * The queries that stand for `query` when it filters on a blind field: one on the hashes under
 * every key by both hashes, one on the plain value (documents stored before the field was
 * sealed). Their results are disjoint (a sealed field never equals a plain value). Undefined when no blind field is asked.
 */
export function blindQueries(
  keys: DataKeyring,
  collection: string,
  fields: readonly BlindField[],
  query: DocQuery,
): DocQuery[] | undefined {
  const where = query.where;
  const blind = where && fields.find((f) => Object.hasOwn(where, f.field));
  if (!blind) return undefined;
  if (query.limit !== undefined || query.after !== undefined || query.orderBy !== undefined) {
    throw new Error(
      `${collection}.${blind.field} is found through its blind index: equality only, without order or pages`,
    );
  }
  const asked = where[blind.field];
  const values = (Array.isArray(asked) ? asked : [asked]).filter((v) => typeof v === 'string');
  if (!values.length) return undefined;
  const hashes = [...keys.byId.values()].flatMap((key) =>
    HASHES.flatMap((hash) => values.map((v) => blindHash(key, collection, blind.field, v, hash))),
  );
  const rest = { ...where };
  delete rest[blind.field];
  return [
    { ...query, where: { ...rest, [blind.index]: hashes } },
    { ...query, where: { ...rest, [blind.field]: values } },
  ];
}
