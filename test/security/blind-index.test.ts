/**
 * An e-licence's holder (a person's ID number) is sealed at rest and still found by equality
 * through a blind index: a keyed hash stored beside the ciphertext, asked for under every key the
 * keyring holds, with licences stored before the field was sealed found by the plain value until
 * `reencrypt` seals them. On SQLite and on the MongoDB wire too, where the hash is an indexed
 * field.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { MemoryDocStore, type Doc } from '../../engine/src/domain/docs.js';
import { MongoDocStore } from '../../engine/src/domain/docs-mongo.js';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { indexName } from '../../engine/src/domain/docs-sqlite-keys.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { blindHash } from '../../engine/src/security/blind-index.js';
import { generateDataKey, keyring } from '../../engine/src/security/data-key.js';
import { EncryptingDocStore, defaultEncryptionPolicy } from '../../engine/src/security/encryption.js';
import { freshDbUri } from '../support/mongo.js';

const HOLDER = '440402199003071232';
const OTHER = '11010519491231002X';

interface Licence extends Doc {
  holderId: string;
  typeCode: string;
  signed: { licence: { holderId: string; data: Record<string, unknown> } };
}

const licence = (id: string, holderId = HOLDER): Licence => ({
  id,
  rev: 0,
  holderId,
  typeCode: 'birth-certificate',
  signed: { licence: { holderId, data: { motherName: '李四' } } },
});

const sealed = (inner: MemoryDocStore | SqliteDocStore | MongoDocStore, ring = keyring(generateDataKey())) =>
  new EncryptingDocStore(inner, ring, defaultEncryptionPolicy(), DOC_INDEXES);

it('stores the holder as ciphertext with a hash beside it, and finds and counts by the holder', async () => {
  const inner = new MemoryDocStore();
  const ring = keyring(generateDataKey());
  const docs = sealed(inner, ring);
  await docs.put('licences', licence('l1'), 0);
  await docs.put('licences', licence('l2', OTHER), 0);
  await docs.put('licences', licence('l3'), 0);

  const raw = (await inner.get<Licence & { holderKey: string }>('licences', 'l1'))!;
  expect(raw.holderId).toMatch(/^\$oenc\$1\$/);
  expect(raw.signed.licence.holderId).toMatch(/^\$oenc\$1\$/);
  expect(raw.holderKey).toBe(blindHash(ring.current.key, 'licences', 'holderId', HOLDER));
  expect(raw.holderKey).not.toContain(HOLDER);
  expect(JSON.stringify(await inner.find('licences'))).not.toContain(HOLDER);

  const found = await docs.find<Licence>('licences', { where: { holderId: HOLDER } });
  expect(found.map((l) => l.id)).toEqual(['l1', 'l3']);
  expect(found[0]).toEqual({ ...licence('l1'), rev: 1 }); // the hash is not shown
  expect(await docs.count('licences', { holderId: HOLDER })).toBe(2);
  expect(await docs.count('licences', { holderId: OTHER, typeCode: 'birth-certificate' })).toBe(1);
  expect(await docs.find('licences', { where: { holderId: [HOLDER, OTHER] } })).toHaveLength(3);
  // The same holder in another collection or field would hash differently.
  expect(blindHash(ring.current.key, 'other', 'holderId', HOLDER)).not.toBe(raw.holderKey);
});

it('a query on the holder with order or pages is refused: the index answers equality only', async () => {
  const docs = sealed(new MemoryDocStore());
  await expect(docs.find('licences', { where: { holderId: HOLDER }, limit: 10 })).rejects.toThrow(
    /licences\.holderId is found through its blind index/,
  );
});

it('after a key rotation, licences hashed under the retired key are found; reencrypt moves them', async () => {
  const inner = new MemoryDocStore();
  const k1 = generateDataKey();
  const k2 = generateDataKey();
  await sealed(inner, keyring(k1)).put('licences', licence('old'), 0);
  await inner.put('licences', licence('plain'), 0); // stored before the holder was sealed
  const rotated = sealed(inner, keyring(k2, [k1]));
  await rotated.put('licences', licence('new'), 0);
  const ids = async (docs: EncryptingDocStore) =>
    (await docs.find<Licence>('licences', { where: { holderId: HOLDER } })).map((l) => l.id);
  expect(await ids(rotated)).toEqual(['new', 'old', 'plain']);

  expect((await rotated.reencryptAll()).rewritten).toBe(2);
  expect(JSON.stringify(await inner.find('licences'))).not.toContain(HOLDER);
  expect(await ids(sealed(inner, keyring(k2)))).toEqual(['new', 'old', 'plain']);
});

it('on SQLite, the file holds no holder ID number and the holder is found through the indexed hash', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'onething-blind-')), 'docs.db');
  const store = new SqliteDocStore(file, DOC_INDEXES);
  const docs = sealed(store);
  for (let i = 0; i < 20; i++) await docs.put('licences', licence(`l${i}`, i % 2 ? OTHER : HOLDER), 0);
  expect(await docs.count('licences', { holderId: OTHER })).toBe(10);
  const db = (store as unknown as { db: { prepare(sql: string): { get(name: string): unknown } } }).db;
  const index = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
  expect(index.get(indexName('licences', ['holderKey']))).toEqual({
    sql: expect.stringContaining(`json_extract(keys, '$.holderKey')`),
  });
  docs.close();
  const bytes = [`${file}-wal`, file].map((f) => (existsSync(f) ? readFileSync(f, 'latin1') : '')).join('');
  expect(bytes).not.toContain(HOLDER);
  expect(bytes).not.toContain(OTHER);
});

it('on the MongoDB wire, the holder is sealed and found through its hash', async () => {
  const connection = await mongoose.createConnection(freshDbUri('blind_index')).asPromise();
  try {
    const docs = sealed(new MongoDocStore(connection, DOC_INDEXES));
    await docs.put('licences', licence('l1'), 0);
    await docs.put('licences', licence('l2', OTHER), 0);
    expect((await docs.find<Licence>('licences', { where: { holderId: HOLDER } })).map((l) => l.id)).toEqual([
      'l1',
    ]);
    expect(await docs.count('licences', { holderId: [HOLDER, OTHER] })).toBe(2);
    const raw = await connection.db!.collection('docs_licences').find().toArray();
    expect(raw).toHaveLength(2);
    expect(JSON.stringify(raw)).not.toContain(HOLDER);
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
});
