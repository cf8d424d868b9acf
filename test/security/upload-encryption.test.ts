/**
 * Encryption at rest of uploaded files on both real adapters (files under a data directory, GridFS
 * on the MongoDB-wire test server): what is kept is sealed (marker, no plaintext), reads give the
 * plaintext byte for byte, the content address stays the plaintext's SHA-256, files kept in clear
 * before stay readable, and a changed, cut or swapped file is refused with UploadUnreadable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { generateDataKey, keyring, type DataKey } from '../../engine/src/security/data-key.js';
import type { MongoStore, Store } from '../../engine/src/store/index.js';
import {
  SEAL_MARKER,
  UploadUnreadable,
  uploadStoreBeside,
  type UploadKeys,
  type UploadStore,
} from '../../forms/src/uploads/index.js';
import { startCentreServer } from '../http/centre-fixture.js';
import { bytesOf, pdfHead, uploadStoreKinds } from './upload-stores.js';

const SECRET = '440402199003071232 张三 身份证';
/** A scan-sized PDF (many stream and GridFS chunks) that names someone. */
const scan = (tag: string) =>
  Buffer.concat([
    pdfHead,
    Buffer.from(`% ${SECRET} ${tag}\n`),
    Buffer.from(Array.from({ length: 600_000 }, (_, i) => (i * 7919) % 251)),
  ]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Raw access to what an adapter keeps, to look at it and to change it as an attacker would. */
interface AtRest {
  get(path: string): Promise<Buffer>;
  set(path: string, bytes: Buffer): Promise<void>;
}

const onDisk = (dir: string): AtRest => ({
  get: async (path) => readFileSync(join(dir, path)),
  set: async (path, bytes) => writeFileSync(join(dir, path), bytes),
});

/** GridFS keeps a file as chunks of 255 kB; set() writes the new bytes back chunk by chunk. */
const inGridFs = (store: Store): AtRest => {
  const db = (store as MongoStore).connection.db!;
  const chunksOf = async (path: string) => {
    const file = await db.collection('uploads.files').findOne({ filename: path });
    return {
      file: file!,
      chunks: await db.collection('uploads.chunks').find({ files_id: file!._id }).sort({ n: 1 }).toArray(),
    };
  };
  return {
    get: async (path) => {
      const { chunks } = await chunksOf(path);
      return Buffer.concat(chunks.map((c) => Buffer.from((c.data as mongoose.mongo.Binary).buffer)));
    },
    set: async (path, bytes) => {
      const { file, chunks } = await chunksOf(path);
      const size = Number(file.chunkSize);
      await db.collection('uploads.chunks').deleteMany({ files_id: file._id });
      const pieces = Math.ceil(bytes.length / size);
      for (let n = 0; n < pieces; n++)
        await db.collection('uploads.chunks').insertOne({
          files_id: file._id,
          n,
          data: new mongoose.mongo.Binary(bytes.subarray(n * size, (n + 1) * size)),
        });
      await db.collection('uploads.files').updateOne({ _id: file._id }, { $set: { length: bytes.length } });
      expect(chunks.length).toBeGreaterThan(0);
    },
  };
};

const atRestKinds = [onDisk, (_dir: string, store: Store) => inGridFs(store)];
/** Each cipher's marker and what it adds to a file: marker, key id, nonce, tag. */
const CIPHERS = [
  { cipher: 'aes', marker: SEAL_MARKER, overhead: 8 + 8 + 12 + 16 },
  { cipher: 'sm4', marker: Buffer.from('OTSEAL2\n', 'latin1'), overhead: 8 + 8 + 16 + 32 },
] as const;
const stores = uploadStoreKinds('upload-encryption').flatMap(([name, open], i) =>
  CIPHERS.map((c) => [`${name}, ${c.cipher}`, open, atRestKinds[i]!, c] as const),
);

describe.each(stores)('uploaded files encrypted at rest: %s', (_name, open, atRestOf, sealing) => {
  let dir: string;
  let store: Store;
  let keys: UploadKeys;
  let sealed: UploadStore;
  let atRest: AtRest;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onething-upload-sealed-'));
    store = await open(dir);
    keys = keyring(generateDataKey(), [], 'given', sealing.cipher);
    sealed = await uploadStoreBeside(store, dir, undefined, keys);
    atRest = atRestOf(dir, store);
  });
  afterAll(async () => {
    await sealed.close();
    await store.close();
  });

  it('keeps the file sealed (marker, no plaintext, larger by header and tag) and reads it back byte for byte under the plaintext’s SHA-256', async () => {
    const content = scan('sealed');
    const stored = await sealed.put(content, 'id-card.pdf');
    expect(stored.sha256).toBe(sha256(content));
    expect(stored.size).toBe(content.length);
    expect(stored.path).toBe(`uploads/${sha256(content).slice(0, 2)}/${sha256(content)}.pdf`);
    const kept = await atRest.get(stored.path);
    expect(kept.subarray(0, sealing.marker.length).equals(sealing.marker)).toBe(true);
    expect(kept.includes(Buffer.from(SECRET))).toBe(false);
    expect(kept.includes(pdfHead)).toBe(false);
    expect(kept.length).toBe(content.length + sealing.overhead);
    expect((await bytesOf(sealed, stored.path))!.equals(content)).toBe(true);

    // The same content again: the same address, still readable (a fresh nonce each time).
    const again = await sealed.put(content, 'copy.pdf');
    expect(again.path).toBe(stored.path);
    expect((await bytesOf(sealed, stored.path))!.equals(content)).toBe(true);
  });

  it('reads files kept in clear before encryption was switched on', async () => {
    const clearStore = await uploadStoreBeside(store, dir);
    const content = scan('legacy');
    const stored = await clearStore.put(content, 'old-scan.pdf');
    expect((await atRest.get(stored.path)).equals(content)).toBe(true);
    expect((await bytesOf(sealed, stored.path))!.equals(content)).toBe(true);
  });

  it.each([
    ['one ciphertext byte flipped', (b: Buffer) => Buffer.from(b).fill(b[5000]! ^ 1, 5000, 5001)],
    ['the tag flipped', (b: Buffer) => Buffer.from(b).fill(b[b.length - 1]! ^ 0x80, b.length - 1)],
    ['cut short', (b: Buffer) => b.subarray(0, b.length - 100)],
    [
      'the key id changed to another key’s',
      (b: Buffer) => Buffer.concat([b.subarray(0, 8), Buffer.from('00000000'), b.subarray(16)]),
    ],
  ])('refuses a sealed file with %s, before returning any byte', async (what, change) => {
    const stored = await sealed.put(scan(`tamper ${what}`), 'id-card.pdf');
    await atRest.set(stored.path, change(await atRest.get(stored.path)));
    const error = await sealed.read(stored.path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UploadUnreadable);
    const reason = what.startsWith('the key id') ? 'unknown-key' : 'tampered';
    expect(error).toMatchObject({ path: stored.path, reason });
    expect((error as Error).message).toContain(stored.path);
  });

  it('refuses a file swapped for another (sealed or clear) whose content does not match its address', async () => {
    const a = await sealed.put(scan('swap-a'), 'a.pdf');
    const b = await sealed.put(scan('swap-b'), 'b.pdf');
    await atRest.set(a.path, await atRest.get(b.path));
    await expect(sealed.read(a.path)).rejects.toMatchObject({
      reason: 'tampered',
      message: expect.stringContaining('SHA-256'),
    });

    const clearStore = await uploadStoreBeside(store, dir);
    const c = await clearStore.put(scan('swap-clear'), 'c.pdf');
    const changed = Buffer.from(await atRest.get(c.path));
    changed[changed.length - 10] ^= 1;
    await atRest.set(c.path, changed);
    await expect(sealed.read(c.path)).rejects.toBeInstanceOf(UploadUnreadable);
  });

  it('reads a file sealed under a retired key while the keyring still holds it', async () => {
    const content = scan('rotation');
    const stored = await sealed.put(content, 'id.pdf');
    const next = generateDataKey();
    const rotated = await uploadStoreBeside(store, dir, undefined, keyring(next, [keys.current as DataKey]));
    expect((await bytesOf(rotated, stored.path))!.equals(content)).toBe(true);
    const forgotten = await uploadStoreBeside(store, dir, undefined, keyring(next));
    await expect(forgotten.read(stored.path)).rejects.toMatchObject({ reason: 'unknown-key' });
  });
});

describe('a changed file over HTTP', () => {
  it('is refused with a problem naming the material, never streamed', async () => {
    const s = await startCentreServer({ sqlite: true, uploads: true });
    try {
      const id = await s.caseIn('draft');
      const content = scan('http');
      const url = `${s.base}/api/applications/${id}/materials/identityProof/file`;
      const auth = { authorization: `Bearer ${await s.token('clerk1')}` };
      const put = await fetch(url, {
        method: 'PUT',
        headers: {
          ...auth,
          'content-type': 'application/pdf',
          'content-disposition': 'attachment; filename="id.pdf"',
        },
        body: content,
      });
      expect(put.status).toBe(200);
      const path = join(s.dataDir, (await put.json()).file.path);
      const changed = readFileSync(path);
      changed[changed.length - 10] ^= 1;
      writeFileSync(path, changed);
      const got = await fetch(url, { headers: auth });
      expect(got.status).toBe(500);
      expect(got.headers.get('content-type')).toContain('application/problem+json');
      const problem = await got.json();
      expect(problem.detail).toContain('完整性校验');
      expect(JSON.stringify(problem)).toContain('identityProof');
    } finally {
      await s.close();
    }
  });
});
