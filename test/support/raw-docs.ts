/** The documents of a server's SQLite file read and written below encryption, as a test sees what is stored. */
import type { DocStore } from '../../engine/src/domain/docs.js';
import { openDocStore } from '../../engine/src/domain/open-docs.js';
import { openStore } from '../../engine/src/store/index.js';

/** Opens the database file `db` raw for `run`, and closes it after. */
export async function withRawDocs<T>(db: string, run: (docs: DocStore) => Promise<T>): Promise<T> {
  const store = await openStore({ ONETHING_DB: db });
  const docs = await openDocStore(store);
  try {
    return await run(docs);
  } finally {
    await store.close();
    (docs as { close?: () => unknown }).close?.();
  }
}
