import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { freshDbUri } from '../../../test/support/mongo.js';
import { GridFsUploadStore } from './gridfs.js';
import { openUploadStore } from './open.js';
import { defaultUploadPolicy, UploadRefused, type UploadPolicy } from './policy.js';
import { FileUploadStore, storeUpload, type UploadStore } from './store.js';

/**
 * The contract every upload store keeps, run against each adapter on its real backing store:
 * files in a temporary data directory, and GridFS on the FerretDB MongoDB-wire test server.
 */

const pdf = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
/** A minimal 64-bit ELF header: what a disguised Linux executable starts with. */
const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
/** An OFD document is a ZIP whose first entry is OFD.xml. */
const ofd = Buffer.concat([
  Buffer.from('504b0304140000000800', 'hex'),
  Buffer.alloc(16),
  Buffer.from([7, 0, 0, 0]),
  Buffer.from('OFD.xml'),
  Buffer.alloc(40),
]);

interface Harness {
  store(policy?: UploadPolicy): UploadStore;
  /** Everything kept, temporary and orphaned parts included, by name. */
  leftovers(): Promise<string[]>;
  reset(): Promise<void>;
  end(): Promise<void>;
}

function fileHarness(): Harness {
  let dataDir = mkdtempSync(join(tmpdir(), 'onething-uploads-'));
  return {
    store: (policy) => new FileUploadStore(dataDir, policy),
    leftovers: async () => {
      const dir = join(dataDir, 'uploads');
      return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => relative(dataDir, join(d.parentPath, d.name)));
    },
    reset: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      dataDir = mkdtempSync(join(tmpdir(), 'onething-uploads-'));
    },
    end: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

function gridFsHarness(): Harness {
  let connection: Connection | undefined;
  const db = () => {
    if (!connection?.db) throw new Error('not connected');
    return connection.db;
  };
  return {
    store: (policy) => new GridFsUploadStore(connection!, policy),
    leftovers: async () => {
      const files = await db().collection('uploads.files').find().toArray();
      const ids = new Set(files.map((f) => String(f._id)));
      const chunks = await db()
        .collection('uploads.chunks')
        .find({}, { projection: { files_id: 1 } })
        .toArray();
      const orphans = chunks
        .filter((c) => !ids.has(String(c.files_id)))
        .map((c) => `orphan chunk of ${c.files_id}`);
      return [...files.map((f) => String(f.filename)), ...orphans];
    },
    reset: async () => {
      if (connection) {
        await connection.dropDatabase();
        await connection.close();
      }
      connection = await mongoose.createConnection(freshDbUri('uploads')).asPromise();
    },
    end: async () => {
      await connection?.dropDatabase();
      await connection?.close();
    },
  };
}

async function refusal(p: Promise<unknown>): Promise<UploadRefused> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UploadRefused) return e;
    throw e;
  }
  throw new Error('expected the upload to be refused');
}

async function bytesOf(stream: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  if (!stream) throw new Error('nothing stored');
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

describe.each([
  ['files under the data directory', fileHarness],
  ['MongoDB GridFS', gridFsHarness],
])('upload store contract: %s', (_name, makeHarness) => {
  const harness = makeHarness();
  let store: UploadStore;
  beforeEach(async () => {
    await harness.reset();
    store = harness.store();
  });
  afterAll(() => harness.end());

  it('stores a PDF content-addressed by SHA-256 and streams it back', async () => {
    const stored = await store.put(pdf, '营业执照.pdf');
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(stored).toEqual({
      sha256,
      size: pdf.length,
      mime: 'application/pdf',
      ext: 'pdf',
      path: `uploads/${sha256.slice(0, 2)}/${sha256}.pdf`,
      originalName: '营业执照.pdf',
    });
    expect(await bytesOf(await store.read(stored.path))).toEqual(pdf);
    expect((await store.put(pdf, 'again.PDF')).path).toBe(stored.path);
    expect(await harness.leftovers()).toEqual([stored.path]);
  });

  it('streams a large upload through in pieces and reads back the same bytes', async () => {
    // 3 MB in 64 KB pieces: many GridFS chunks (255 KB each), many file writes.
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) % 251;
    const whole = Buffer.concat([pdf, body]);
    async function* pieces() {
      for (let at = 0; at < whole.length; at += 64 * 1024) yield whole.subarray(at, at + 64 * 1024);
    }
    const stored = await store.put(pieces(), 'scan.pdf');
    expect(stored.size).toBe(whole.length);
    expect(stored.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
    expect((await bytesOf(await store.read(stored.path))).equals(whole)).toBe(true);
  });

  it('accepts images and OFD e-licence documents by their content', async () => {
    expect((await store.put(png, 'photo.png')).mime).toBe('image/png');
    expect((await store.put(ofd, 'licence.ofd')).mime).toBe('application/ofd');
    expect(await harness.leftovers()).toHaveLength(2);
  });

  it('refuses a 50 MB upload at the limit, without reading it all or keeping anything', async () => {
    let produced = 0;
    async function* fiftyMegabytes() {
      yield pdf;
      for (let i = 0; i < 50; i++) {
        produced += 1024 * 1024;
        yield new Uint8Array(1024 * 1024);
      }
    }
    const e = await refusal(store.put(fiftyMegabytes(), 'scan.pdf'));
    expect(e.problem).toBe('tooLarge');
    expect(e.text).toEqual({
      zh: '文件超过大小上限 20 MB',
      en: 'The file is larger than the limit of 20 MB',
    });
    expect(produced).toBeLessThanOrEqual(21 * 1024 * 1024);
    expect(await harness.leftovers()).toEqual([]);
  });

  it('refuses a .pdf that is really an ELF executable, saying so', async () => {
    const e = await refusal(store.put(elf, '营业执照.pdf'));
    expect(e.problem).toBe('typeNotAllowed');
    expect(e.text.zh).toBe(
      '文件内容实际是ELF 可执行程序,不予接收;只接受:PDF 文档、JPEG 图片、PNG 图片、OFD 版式文档',
    );
    expect(e.text.en).toBe(
      'The file is really an ELF executable and is refused; accepted: PDF document, JPEG image, PNG image, OFD document',
    );
    expect(await harness.leftovers()).toEqual([]);
  });

  it('refuses the node binary itself named as a PDF', async () => {
    const head = readFileSync(process.execPath).subarray(0, 8192);
    expect((await refusal(store.put(head, 'report.pdf'))).problem).toBe('typeNotAllowed');
  });

  it('refuses unknown content, empty files and a name that hides the real type', async () => {
    expect((await refusal(store.put(Buffer.from('just some text'), 'notes.pdf'))).problem).toBe(
      'unknownType',
    );
    expect((await refusal(store.put(new Uint8Array(0), 'empty.pdf'))).problem).toBe('empty');
    const mismatch = await refusal(store.put(png, 'contract.pdf'));
    expect(mismatch.problem).toBe('nameMismatch');
    expect(mismatch.text.en).toBe(
      'The file name "contract.pdf" does not match its content (PNG image); check and upload again',
    );
    expect(await harness.leftovers()).toEqual([]);
  });

  it('keeps nothing when the source breaks off mid-stream', async () => {
    async function* broken() {
      yield pdf;
      yield new Uint8Array(600 * 1024);
      throw new Error('connection reset by the applicant');
    }
    await expect(store.put(broken(), 'scan.pdf')).rejects.toThrow('connection reset by the applicant');
    expect(await harness.leftovers()).toEqual([]);
  });

  it('reads nothing for a path it did not store or that is not a content address', async () => {
    await store.put(pdf, 'a.pdf');
    expect(await store.read(`uploads/00/${'0'.repeat(64)}.pdf`)).toBeUndefined();
    expect(await store.read('../../etc/passwd')).toBeUndefined();
    expect(await store.read('uploads/../onething.db')).toBeUndefined();
  });

  it('honours a deployment policy', async () => {
    const policy = {
      maxBytes: 10,
      types: { 'application/pdf': { extensions: ['pdf'], label: { zh: 'PDF', en: 'PDF' } } },
    };
    expect((await refusal(harness.store(policy).put(pdf, 'a.pdf'))).text.en).toBe(
      'The file is larger than the limit of 10 B',
    );
    expect(await harness.leftovers()).toEqual([]);
  });
});

describe('GridFS on the test server', () => {
  it('has the indexes the driver creates for a bucket: chunks unique by (files_id, n), files by name and date', async () => {
    const uri = freshDbUri('uploads-indexes');
    const store = await GridFsUploadStore.open(uri);
    await store.put(pdf, 'a.pdf');
    await store.close();
    const check = await mongoose.createConnection(uri).asPromise();
    const chunks = await check.db!.collection('uploads.chunks').indexes();
    const files = await check.db!.collection('uploads.files').indexes();
    expect(chunks).toContainEqual(expect.objectContaining({ key: { files_id: 1, n: 1 }, unique: true }));
    expect(files).toContainEqual(expect.objectContaining({ key: { filename: 1, uploadDate: 1 } }));
    await check.dropDatabase();
    await check.close();
  });
});

describe('openUploadStore', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'onething-uploads-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps files under the data directory without MONGODB_URI', async () => {
    const store = await openUploadStore(dataDir, {});
    expect(store).toBeInstanceOf(FileUploadStore);
    const stored = await store.put(pdf, 'a.pdf');
    expect(readFileSync(join(dataDir, stored.path))).toEqual(pdf);
    expect(await storeUpload(pdf, 'b.pdf', dataDir)).toEqual({ ...stored, originalName: 'b.pdf' });
    await store.close();
  });

  it('keeps them in GridFS with MONGODB_URI', async () => {
    const uri = freshDbUri('uploads-open');
    const store = await openUploadStore(dataDir, { MONGODB_URI: uri }, defaultUploadPolicy);
    expect(store).toBeInstanceOf(GridFsUploadStore);
    const stored = await store.put(png, 'photo.png');
    expect(await bytesOf(await store.read(stored.path))).toEqual(png);
    expect(readdirSync(dataDir)).toEqual([]);
    await store.close();
    const check = await mongoose.createConnection(uri).asPromise();
    expect(await check.db!.collection('uploads.files').countDocuments({ filename: stored.path })).toBe(1);
    await check.dropDatabase();
    await check.close();
  });
});
