import { defaultUploadPolicy, type UploadPolicy } from './policy.js';
import type { UploadKeys } from './sealed.js';
import { FileUploadStore, type UploadStore } from './store.js';

/**
 * Opens the upload store that goes with the configured Store: GridFS when MONGODB_URI is set
 * (the application data is in MongoDB, so are the materials), otherwise files under the data
 * directory beside the embedded SQLite database. Close it when done.
 */
export async function openUploadStore(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
  policy: UploadPolicy = defaultUploadPolicy,
  keys?: UploadKeys,
): Promise<UploadStore> {
  const uri = env.MONGODB_URI?.trim();
  if (uri) {
    // Loaded on demand: an embedded start-up never pays for loading mongoose.
    const { GridFsUploadStore } = await import('./gridfs.js');
    return GridFsUploadStore.open(uri, policy, keys);
  }
  return new FileUploadStore(dataDir, policy, keys);
}

/**
 * The upload store beside an open engine Store (the server's way in): GridFS on the MongoDB
 * store's own connection, which that store closes, or files under the data directory beside the
 * SQLite database. With `keys` (the data key), files are encrypted at rest.
 */
export async function uploadStoreBeside(
  store: object,
  dataDir: string,
  policy: UploadPolicy = defaultUploadPolicy,
  keys?: UploadKeys,
): Promise<UploadStore> {
  const { connection } = store as { connection?: import('mongoose').Connection };
  if (connection) {
    const { GridFsUploadStore } = await import('./gridfs.js');
    return new GridFsUploadStore(connection, policy, false, keys);
  }
  return new FileUploadStore(dataDir, policy, keys);
}
