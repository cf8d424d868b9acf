/**
 * The two real stores material files live beside, for the upload retention and encryption tests:
 * a SQLite file with the files under its data directory, and the MongoDB-wire test server with
 * GridFS; and reading a kept file whole.
 */
import { join } from 'node:path';
import { openStore, type Store } from '../../engine/src/store/index.js';
import type { UploadStore } from '../../forms/src/uploads/index.js';
import { freshDbUri } from '../support/mongo.js';

export const pdfHead = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n',
  'latin1',
);

/** [name, open]: opens the store in `dir` (SQLite) or in a fresh database named after `test`. */
export const uploadStoreKinds = (test: string): [string, (dir: string) => Promise<Store>][] => [
  [
    'SQLite file, files under the data directory',
    (dir) => openStore({ ONETHING_DB: join(dir, 'onething.db') }),
  ],
  ['MongoDB, GridFS', () => openStore({ MONGODB_URI: freshDbUri(test) })],
];

/** The content kept under `path`, read whole; undefined when nothing is kept there. */
export async function bytesOf(uploads: UploadStore, path: string): Promise<Buffer | undefined> {
  const stream = await uploads.read(path);
  if (!stream) return undefined;
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}
