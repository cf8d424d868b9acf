/**
 * Opens the configured Store:
 * - MONGODB_URI set → MongoStore (e.g. `mongodb://db1,db2,db3/onething?replicaSet=rs0`);
 * - otherwise → SqliteStore at ONETHING_DB, else <ONETHING_DATA_DIR or data>/onething.db (directory
 *   created); an empty or blank variable counts as unset, as everywhere (../config.ts).
 * ONETHING_DB_SYNCHRONOUS=FULL makes SQLite fsync every commit (survives power loss; the
 * default NORMAL survives a killed process). Close the store when done.
 */
import { dbFileOf } from '../config.js';
import type { Store } from './port.js';
import { SqliteStore } from './sqlite/index.js';

export const DEFAULT_DB_FILE = 'data/onething.db';

export type StoreEnv = Record<string, string | undefined>;

export async function openStore(env: StoreEnv = process.env): Promise<Store> {
  const uri = env.MONGODB_URI?.trim();
  if (uri) {
    // Loaded on demand: an embedded (SQLite) start-up never pays for loading mongoose.
    const { MongoStore } = await import('./mongo/index.js');
    return MongoStore.open(uri);
  }
  const sync = env.ONETHING_DB_SYNCHRONOUS?.trim().toUpperCase();
  if (sync !== undefined && sync !== '' && sync !== 'NORMAL' && sync !== 'FULL') {
    throw new Error(`ONETHING_DB_SYNCHRONOUS must be NORMAL or FULL, not "${env.ONETHING_DB_SYNCHRONOUS}"`);
  }
  return new SqliteStore(dbFileOf(env), sync === 'FULL' ? { synchronous: 'FULL' } : {});
}

export type { MongoStore } from './mongo/index.js';
export { SqliteStore } from './sqlite/index.js';
export { MemoryStore } from './memory.js';
export * from './port.js';
