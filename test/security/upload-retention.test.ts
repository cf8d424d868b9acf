/**
 * Retention of uploaded material files on both real stores: a SQLite file with the files under the
 * data directory, and the MongoDB-wire test server with GridFS. Purge deletes the files of purged
 * applications unless another application references the same content; the orphan sweep deletes
 * files referenced by nothing; files younger than the grace period stay; the audit counts them.
 */
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application, MaterialEntry } from '../../engine/src/applications/types.js';
import { AuditLog } from '../../engine/src/audit/index.js';
import type { DocStore } from '../../engine/src/domain/docs.js';
import { openDocStore } from '../../engine/src/domain/open-docs.js';
import { main } from '../../engine/src/security/admin-cli.js';
import { PURGE_ACTION, purgeArchived, RETENTION_ACTOR } from '../../engine/src/security/purge.js';
import { sweepOrphanUploads, UPLOADS_PURGE_ACTION } from '../../engine/src/security/upload-retention.js';
import { openStore, type MongoStore, type Store } from '../../engine/src/store/index.js';
import { uploadStoreBeside, type StoredUpload, type UploadStore } from '../../forms/src/uploads/index.js';
import { bytesOf, pdfHead, uploadStoreKinds } from './upload-stores.js';

const DAY = 86_400_000;
const NOW = Date.now();
/** A moment after every file the test just stored (the grace period counts from `now`). */
const afterStoring = () => Date.now() + 1000;
/** A small PDF whose bytes (so whose address) differ by `tag`. */
const pdf = (tag: string) => Buffer.concat([pdfHead, Buffer.from(`% ${tag}\n%%EOF\n`.repeat(200))]);

function material(id: string, file: StoredUpload): MaterialEntry {
  return {
    id,
    name: { zh: id, en: id },
    required: true,
    items: ['enterprise-registration'],
    status: 'provided',
    deferrable: false,
    commitment: false,
    uploadSha256: file.sha256,
    file: { ...file, name: file.originalName, uploadedAt: NOW, uploadedBy: 'clerk1' },
  };
}

/** The lists these tests leave empty. */
const NONE = ['items', 'commitments', 'requests', 'notices', 'pauses', 'evaluations', 'departments'];

function application(id: string, status: Application['status'], endedDaysAgo: number, files: StoredUpload[]) {
  const end = NOW - endedDaysAgo * DAY;
  return {
    id,
    rev: 0,
    number: `BUSI-${id}`,
    bundleCode: 'business-startup',
    bundleVersion: 1,
    processId: 'p',
    status,
    applicant: { kind: 'person', name: '张三', idNumber: '440402199003071232' },
    answers: {},
    data: {},
    materials: files.map((f, i) => material(`m${i}`, f)),
    ...Object.fromEntries(NONE.map((k) => [k, []])),
    createdAt: end - 10 * DAY,
    promisedDays: 5,
    ...(status === 'delivered' ? { deliveredAt: end } : {}),
    timeline: [],
  } as unknown as Application;
}

/** What a crash in the middle of an upload leaves: a temporary file, or GridFS chunks without a file. */
async function leaveCutOffUpload(store: Store, dir: string): Promise<void> {
  const connection = (store as Partial<MongoStore>).connection;
  const piece = Buffer.concat([pdfHead, Buffer.alloc(300_000, 7)]); // more than one 255 kB GridFS chunk
  if (!connection) {
    writeFileSync(join(dir, 'uploads', '.incoming-crashed'), piece);
    return;
  }
  const bucket = new mongoose.mongo.GridFSBucket(connection.db!, { bucketName: 'uploads' });
  const stream = bucket.openUploadStream('.incoming-crashed');
  await new Promise<void>((resolve, reject) => stream.write(piece, (err) => (err ? reject(err) : resolve())));
  expect(
    await connection.db!.collection('uploads.chunks').countDocuments({ files_id: stream.id }),
  ).toBeGreaterThan(0);
}

async function keptPaths(uploads: UploadStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of uploads.list()) out.push(k.path);
  return out.sort();
}

const stores = uploadStoreKinds('upload-retention');

describe.each(stores)('uploaded files under retention: %s', (_name, open) => {
  let dir: string;
  let store: Store;
  let docs: DocStore;
  let uploads: UploadStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onething-upload-retention-'));
    store = await open(dir);
    docs = await openDocStore(store);
    uploads = await uploadStoreBeside(store, dir);
  });
  afterEach(async () => {
    await uploads.close();
    await store.close();
    (docs as { close?: () => void }).close?.();
  });

  it('purge deletes the files only the purged applications held, keeps content another application shares, and audits the counts', async () => {
    const own = await uploads.put(pdf('own'), 'id-card.pdf');
    const shared = await uploads.put(pdf('shared'), 'licence.pdf');
    const alsoOld = await uploads.put(pdf('also-old'), 'scan.pdf');
    await docs.put('applications', application('old-a', 'delivered', 400, [own, shared]), 0);
    await docs.put('applications', application('old-b', 'delivered', 500, [alsoOld, shared]), 0);
    await docs.put('applications', application('open-c', 'in-progress', 400, [shared]), 0);
    const audit = new AuditLog(docs, () => NOW);

    const dry = await purgeArchived(docs, {
      olderThanDays: 365,
      now: afterStoring(),
      audit,
      uploads,
      uploadGraceMs: 0,
      dryRun: true,
    });
    expect(dry.files).toEqual({ deleted: 2, shared: 1, recent: 0 });
    expect(await keptPaths(uploads)).toHaveLength(3);

    const report = await purgeArchived(docs, {
      olderThanDays: 365,
      now: afterStoring(),
      audit,
      uploads,
      uploadGraceMs: 0,
    });
    expect(report.purged.sort()).toEqual(['old-a', 'old-b']);
    expect(report.files).toEqual({ deleted: 2, shared: 1, recent: 0 });
    expect(await keptPaths(uploads)).toEqual([shared.path]);
    expect(await bytesOf(uploads, own.path)).toBeUndefined();
    expect(await bytesOf(uploads, alsoOld.path)).toBeUndefined();
    expect((await bytesOf(uploads, shared.path))!.equals(pdf('shared'))).toBe(true);

    const perApp = (await audit.list({ action: PURGE_ACTION, limit: 10 })).items;
    expect(perApp.map((e) => e.detail?.files)).toEqual([2, 2]);
    const summary = (await audit.list({ action: UPLOADS_PURGE_ACTION, limit: 10 })).items;
    expect(summary).toHaveLength(1);
    expect(summary[0]!.detail).toEqual({ applications: 2, released: 3, deleted: 2, shared: 1, recent: 0 });
    expect((await audit.verify()).ok).toBe(true);

    // Once the last application holding it is purged too, the shared content goes.
    const closed = {
      ...(await docs.get<Application>('applications', 'open-c'))!,
      status: 'delivered' as const,
      deliveredAt: NOW - 400 * DAY,
    };
    await docs.put('applications', closed, closed.rev);
    const last = await purgeArchived(docs, {
      olderThanDays: 365,
      now: afterStoring(),
      audit,
      uploads,
      uploadGraceMs: 0,
    });
    expect(last.files).toEqual({ deleted: 1, shared: 0, recent: 0 });
    expect(await keptPaths(uploads)).toEqual([]);
  });

  it('the orphan sweep deletes files referenced by nothing, and what a crashed upload left, once past the grace period; never a referenced one', async () => {
    const used = await uploads.put(pdf('used'), 'id-card.pdf');
    const orphan = await uploads.put(pdf('orphan'), 'lost.pdf');
    await docs.put('applications', application('draft-d', 'draft', 0, [used]), 0);
    await leaveCutOffUpload(store, dir);
    const audit = new AuditLog(docs, () => NOW);
    const options = { audit, actor: RETENTION_ACTOR, now: Date.now() };

    // Just stored: it may belong to an upload whose application is being saved.
    expect(await sweepOrphanUploads(docs, uploads, options)).toEqual({
      deleted: 0,
      shared: 1,
      recent: 1,
      incomplete: 0,
    });
    expect(await keptPaths(uploads)).toEqual([orphan.path, used.path].sort());

    const later = { ...options, now: Date.now() + 2 * DAY };
    expect(await sweepOrphanUploads(docs, uploads, { ...later, dryRun: true })).toEqual({
      deleted: 1,
      shared: 1,
      recent: 0,
      incomplete: 0,
    });
    expect(await keptPaths(uploads)).toHaveLength(2);
    const swept = { deleted: 1, shared: 1, recent: 0, incomplete: 1 };
    expect(await sweepOrphanUploads(docs, uploads, later)).toEqual(swept);
    expect(await uploads.removeIncomplete(later.now)).toBe(0);
    expect(await keptPaths(uploads)).toEqual([used.path]);
    expect((await bytesOf(uploads, used.path))!.equals(pdf('used'))).toBe(true);
    expect((await audit.list({ action: 'uploads.sweep', limit: 10 })).items.map((e) => e.detail)).toEqual([
      swept,
    ]);
  });
});

describe('onething-admin purge and sweep-uploads on a data directory', () => {
  it('deletes the purged applications’ files and then the orphans, past the one-day grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onething-upload-retention-cli-'));
    const db = join(dir, 'onething.db');
    const store = await openStore({ ONETHING_DB: db });
    const docs = await openDocStore(store);
    const uploads = await uploadStoreBeside(store, dir);
    const old = await uploads.put(pdf('cli-old'), 'id-card.pdf');
    const orphan = await uploads.put(pdf('cli-orphan'), 'lost.pdf');
    await docs.put('applications', application('old-e', 'delivered', 400, [old]), 0);
    await store.close();
    (docs as { close?: () => void }).close?.();
    // Stored two days ago, as a real archive's files were.
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    for (const f of [old, orphan]) utimesSync(join(dir, f.path), twoDaysAgo, twoDaysAgo);

    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const env = { ONETHING_DATA_DIR: dir };
    expect(await main(['purge', '--older-than-days', '365'], io, env)).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({
      ok: true,
      purged: ['old-e'],
      files: { deleted: 1, shared: 0 },
    });
    expect(await keptPaths(uploads)).toEqual([orphan.path]);
    expect(await main(['sweep-uploads'], io, env)).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toEqual({
      ok: true,
      dryRun: false,
      deleted: 1,
      shared: 0,
      recent: 0,
      incomplete: 0,
    });
    expect(await keptPaths(uploads)).toEqual([]);
  });
});
