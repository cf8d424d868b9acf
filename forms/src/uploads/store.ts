import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defaultUploadPolicy, type UploadPolicy } from './policy.js';
import { isContentPath, receive, type Sink, type StoredUpload, type UploadSource } from './receive.js';
import { readChecked, sealingSink, type UploadKeys } from './sealed.js';

/**
 * Where material uploads are kept: on disk under the data directory for the embedded store
 * (FileUploadStore, here) and in GridFS for the MongoDB store (GridFsUploadStore, ./gridfs.ts).
 * Both run the same checks (./receive.ts) and address files by content, so a path recorded in
 * an application reads the same bytes from either.
 */
export interface UploadStore {
  /** Streams, checks and keeps one upload; refuses with UploadRefused (zh/en) and keeps nothing. */
  put(source: UploadSource, originalName: string): Promise<StoredUpload>;
  /** What it accepts: callers check a declared size or type against it before streaming. */
  readonly policy: UploadPolicy;
  /**
   * The content, streamed (decrypted, checked whole first); undefined when nothing is kept under
   * `path`; UploadUnreadable when what is kept was changed or its key is not given.
   */
  read(path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Every kept file with when it was last stored (retention and the orphan sweep walk this). */
  list(): AsyncIterable<KeptUpload>;
  /** Deletes what is kept under `path`; false when nothing was. */
  remove(path: string): Promise<boolean>;
  /** Deletes what uploads cut off by a crash left (started before `before`, ms); how many. */
  removeIncomplete(before: number): Promise<number>;
  close(): Promise<void>;
}

export interface KeptUpload {
  path: string;
  /** When these bytes were last put (a second put of the same content renews it), ms since epoch. */
  storedAt: number;
}

/**
 * Stores under <dataDir>/uploads: streamed to a temporary file, renamed to its content address;
 * sealed (./sealed.ts) when given keys.
 */
export class FileUploadStore implements UploadStore {
  constructor(
    private readonly dataDir: string,
    readonly policy: UploadPolicy = defaultUploadPolicy,
    private readonly keys?: UploadKeys,
  ) {}

  async put(source: UploadSource, originalName: string): Promise<StoredUpload> {
    const dir = join(this.dataDir, 'uploads');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.incoming-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    const file: FileHandle = await open(temp, 'wx');
    const sink: Sink = {
      write: async (chunk) => void (await file.write(chunk)),
      keep: async ({ path }) => {
        await file.close();
        await mkdir(dirname(join(this.dataDir, path)), { recursive: true });
        await rename(temp, join(this.dataDir, path)); // same content twice: same name, the second replaces the first
      },
      discard: async () => {
        await file.close().catch(() => undefined);
        await rm(temp, { force: true });
      },
    };
    return receive(source, originalName, this.policy, this.keys ? sealingSink(sink, this.keys) : sink);
  }

  async read(path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (!isContentPath(path)) return undefined;
    const file = join(this.dataDir, path);
    const raw = async () =>
      (await stat(file).catch(() => undefined))?.isFile() ? createReadStream(file) : undefined;
    return readChecked(path, raw, this.keys);
  }

  async *list(): AsyncIterable<KeptUpload> {
    const root = join(this.dataDir, 'uploads');
    const folders = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const folder of folders) {
      if (!folder.isDirectory()) continue;
      for (const name of await readdir(join(root, folder.name))) {
        const path = `uploads/${folder.name}/${name}`;
        if (!isContentPath(path)) continue;
        const found = await stat(join(this.dataDir, path)).catch(() => undefined);
        if (found?.isFile()) yield { path, storedAt: found.mtimeMs };
      }
    }
  }

  async remove(path: string): Promise<boolean> {
    if (!isContentPath(path)) return false;
    const file = join(this.dataDir, path);
    if (!(await stat(file).catch(() => undefined))) return false;
    await rm(file, { force: true });
    return true;
  }

  async removeIncomplete(before: number): Promise<number> {
    const root = join(this.dataDir, 'uploads');
    let n = 0;
    for (const name of await readdir(root).catch(() => [])) {
      if (!name.startsWith('.incoming-')) continue;
      const found = await stat(join(root, name)).catch(() => undefined);
      if (!found || found.mtimeMs >= before) continue;
      await rm(join(root, name), { force: true });
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}
}

/** One upload into <dataDir>/uploads with the given policy (FileUploadStore.put). */
export function storeUpload(
  source: UploadSource,
  originalName: string,
  dataDir: string,
  policy: UploadPolicy = defaultUploadPolicy,
): Promise<StoredUpload> {
  return new FileUploadStore(dataDir, policy).put(source, originalName);
}
