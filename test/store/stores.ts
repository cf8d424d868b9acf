/**
 * The store adapters under test, each with a way to get a fresh, empty location and to open it
 * (again): memory (no persistence), sqlite (a file in a temp dir), mongo (a fresh database on
 * the test MongoDB-wire server; testMongoUri() throws — the test fails — when there is none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../engine/src/store/memory.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import { freshDbUri } from '../support/mongo.js';

export type StoreKind = 'memory' | 'sqlite' | 'mongo';

export interface StoreFactory {
  kind: StoreKind;
  durable: boolean;
  /** A fresh, empty location (a file path or a database URI); '' for memory. */
  location(name: string): string;
  /** Opens the location (a second open of the same location sees the same data, except memory). */
  open(location: string): Promise<Store>;
  /** Removes what location() created on disk (temp dirs); databases are dropped by dropMongo. */
  cleanup(): void;
}

const tempDirs: string[] = [];

export const memory: StoreFactory = {
  kind: 'memory',
  durable: false,
  location: () => '',
  open: async () => new MemoryStore(),
  cleanup: () => undefined,
};

export const sqlite: StoreFactory = {
  kind: 'sqlite',
  durable: true,
  location(name) {
    const dir = mkdtempSync(
      path.join(os.tmpdir(), `onething-${name.replace(/[^\w-]+/g, '_').slice(0, 40)}-`),
    );
    tempDirs.push(dir);
    return path.join(dir, 'onething.db');
  },
  open: async (file) => new SqliteStore(file),
  cleanup() {
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
};

export const mongo: StoreFactory = {
  kind: 'mongo',
  durable: true,
  location: (name) => freshDbUri(name),
  open: (uri) => MongoStore.open(uri),
  cleanup: () => undefined,
};

export const ALL: StoreFactory[] = [memory, sqlite, mongo];
export const DURABLE: StoreFactory[] = [sqlite, mongo];

/** Drops a mongo test database (best effort). */
export async function dropStore(store: Store): Promise<void> {
  if (store instanceof MongoStore) await store.connection.dropDatabase().catch(() => undefined);
}
