import { finished } from 'node:stream/promises';
import mongoose, { type Connection } from 'mongoose';
import type { GridFSBucket, GridFSBucketWriteStream } from 'mongodb';
import { defaultUploadPolicy, type UploadPolicy } from './policy.js';
import { isContentPath, receive, type Sink, type StoredUpload, type UploadSource } from './receive.js';
import { readChecked, sealingSink, type UploadKeys } from './sealed.js';
import type { KeptUpload, UploadStore } from './store.js';

/**
 * Uploads in MongoDB GridFS (bucket `uploads`: collections uploads.files and uploads.chunks),
 * through the mongodb driver that mongoose carries. The bytes stream into a file named
 * `.incoming-…` while they are checked; when every check passed the file is renamed to its
 * content address and its metadata (sha256, MIME type, original name) set, otherwise the upload
 * is aborted, which deletes the chunks already written.
 */
export class GridFsUploadStore implements UploadStore {
  private readonly bucket: GridFSBucket;

  /**
   * `ownsConnection`: close() closes the connection too (openUploadStore made it); with `keys`,
   * files are sealed (./sealed.ts).
   */
  constructor(
    private readonly connection: Connection,
    readonly policy: UploadPolicy = defaultUploadPolicy,
    private readonly ownsConnection = false,
    private readonly keys?: UploadKeys,
  ) {
    if (!connection.db) throw new Error('GridFsUploadStore needs an open connection');
    this.bucket = new mongoose.mongo.GridFSBucket(connection.db, { bucketName: 'uploads' });
  }

  static async open(
    uri: string,
    policy: UploadPolicy = defaultUploadPolicy,
    keys?: UploadKeys,
  ): Promise<GridFsUploadStore> {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    return new GridFsUploadStore(connection, policy, true, keys);
  }

  async put(source: UploadSource, originalName: string): Promise<StoredUpload> {
    const incoming = `.incoming-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const stream: GridFSBucketWriteStream = this.bucket.openUploadStream(incoming);
    let ended = false;
    const sink: Sink = {
      write: (chunk) =>
        new Promise<void>((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve()))),
      keep: async (upload) => {
        ended = true;
        stream.end();
        await finished(stream);
        const files = this.filesCollection();
        // Same content twice keeps one copy. Two racing uploads of the same bytes may both be
        // renamed; read() then serves the newest, which holds the same bytes.
        // The kept copy's storedAt is renewed, so a sweep does not take it for an old orphan
        // while the application that put it again is being saved.
        const renewed = await files.updateOne(
          { filename: upload.path },
          { $set: { 'metadata.storedAt': new Date() } },
        );
        if (renewed.matchedCount) {
          await this.bucket.delete(stream.id);
          return;
        }
        const { sha256, mime, originalName: name } = upload;
        await files.updateOne(
          { _id: stream.id },
          { $set: { filename: upload.path, metadata: { sha256, mime, originalName: name } } },
        );
      },
      discard: async () => {
        if (!ended) await stream.abort().catch(() => undefined);
        else await this.bucket.delete(stream.id).catch(() => undefined);
      },
    };
    return receive(source, originalName, this.policy, this.keys ? sealingSink(sink, this.keys) : sink);
  }

  async read(path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (!isContentPath(path)) return undefined;
    const file = await this.filesCollection().findOne(
      { filename: path },
      { sort: { uploadDate: -1 }, projection: { _id: 1 } },
    );
    if (!file) return undefined;
    return readChecked(path, async () => this.bucket.openDownloadStream(file._id), this.keys);
  }

  async *list(): AsyncIterable<KeptUpload> {
    const cursor = this.filesCollection().find(
      { filename: { $regex: '^uploads/' } },
      { projection: { filename: 1, uploadDate: 1, 'metadata.storedAt': 1 } },
    );
    for await (const f of cursor) {
      const path = String(f.filename);
      if (!isContentPath(path)) continue;
      const stored = (f.metadata as { storedAt?: Date } | undefined)?.storedAt ?? f.uploadDate;
      yield { path, storedAt: new Date(stored as Date).getTime() };
    }
  }

  async remove(path: string): Promise<boolean> {
    if (!isContentPath(path)) return false;
    const found = await this.filesCollection()
      .find({ filename: path }, { projection: { _id: 1 } })
      .toArray();
    // Racing uploads of the same bytes may have left two copies: both go.
    for (const f of found) await this.bucket.delete(f._id);
    return found.length > 0;
  }

  /**
   * Files still named `.incoming-…`, and chunks of uploads whose stream never finished (GridFS
   * writes the file document last), started before `before`: an ObjectId carries its time.
   */
  async removeIncomplete(before: number): Promise<number> {
    const files = this.filesCollection();
    const chunks = this.connection.db!.collection('uploads.chunks');
    const older = (id: unknown) =>
      id instanceof mongoose.mongo.ObjectId && id.getTimestamp().getTime() < before;
    let n = 0;
    for (const f of await files.find({ filename: { $regex: '^\\.incoming-' } }).toArray()) {
      if (f.uploadDate.getTime() >= before) continue;
      await this.bucket.delete(f._id);
      n++;
    }
    const ids = (await chunks.distinct('files_id')).filter(older);
    const known = new Set(
      (await files.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((f) =>
        String(f._id),
      ),
    );
    for (const id of ids) {
      if (known.has(String(id))) continue;
      await chunks.deleteMany({ files_id: id });
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private filesCollection() {
    return this.connection.db!.collection('uploads.files');
  }
}
