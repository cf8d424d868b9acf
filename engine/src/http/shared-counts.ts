/**
 * Counts every node of a deployment must share: log-in attempts per client address and failed
 * log-ins per username. Counted in each process's memory, N nodes behind a balancer allowed N×
 * the guesses at a password. These are kept in the database the nodes share, through
 * rate-limiter-flexible's SQLite and MongoDB stores, with a count in memory as its insurance
 * should the database not answer (a node then brakes on its own, as before). Log-ins are rare
 * beside other requests: the general request budgets stay in memory, one write fewer per request.
 */
import Database from 'better-sqlite3';
import type { Connection } from 'mongoose';
import {
  RateLimiterMemory,
  RateLimiterMongo,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Store } from '../store/port.js';

/** What a count needs: its name, how many points it allows, over how many seconds. */
export interface CountOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/** Makes the counts of one app: shared where the app has a database, else in its memory. */
export interface Counts {
  count(options: CountOptions): RateLimiterAbstract;
  close(): void;
}

/** The counts table (SQLite) and collection (MongoDB). */
const TABLE = 'rate_limits';

export const memoryCounts: Counts = {
  count: (options) => new RateLimiterMemory(options),
  close: () => {},
};

/** Removes the rows of windows past every five minutes; a failure (busy, closed) waits for the next. */
function sweepEveryFiveMinutes(clearExpired: () => unknown): () => void {
  const timer = setInterval(() => {
    Promise.resolve()
      .then(clearExpired)
      .catch(() => {});
  }, 5 * 60_000).unref();
  return () => clearInterval(timer);
}

/**
 * The counts of the nodes on this engine store's database: a connection of their own to the
 * SQLite file, or the MongoDB store's client; in memory for a store in memory.
 */
export async function sharedCounts(store: Store): Promise<Counts> {
  const s = store as { connection?: Connection; file?: string; db?: { memory?: boolean } };
  if (s.connection) return mongoCounts(s.connection);
  if (typeof s.file === 'string' && !s.db?.memory) return sqliteCounts(s.file);
  return memoryCounts;
}

async function mongoCounts(connection: Connection): Promise<Counts> {
  const client = connection.getClient();
  const dbName = connection.db!.databaseName;
  const collection = client.db(dbName).collection(TABLE);
  // Made here rather than by the store, which only logs a failure: a count's key is unique (two
  // nodes' first counts of one key must not make two documents), and where the server keeps no
  // TTL index (FerretDB, the tests' server) the nodes remove what expired themselves.
  await collection.createIndex({ key: 1 }, { unique: true });
  const ttl = await collection.createIndex({ expire: -1 }, { expireAfterSeconds: 0 }).then(
    () => true,
    () => false,
  );
  const stop = ttl
    ? () => {}
    : sweepEveryFiveMinutes(() => collection.deleteMany({ expire: { $lt: new Date() } }));
  return {
    count: (options) =>
      new RateLimiterMongo({
        ...options,
        storeClient: client,
        dbName,
        tableName: TABLE,
        disableIndexesCreation: true,
        insuranceLimiter: new RateLimiterMemory(options),
      }),
    close: stop,
  };
}

function sqliteCounts(file: string): Counts {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  // rate-limiter-flexible's own table, made here at once: the store would make it a turn later
  // and count in its insurance until then.
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`,
  );
  const clearExpired = db.prepare(`DELETE FROM ${TABLE} WHERE expire < ?`);
  const stop = sweepEveryFiveMinutes(() => clearExpired.run(Date.now()));
  return {
    count: (options) =>
      new RateLimiterSQLite({
        ...options,
        storeClient: db,
        storeType: 'better-sqlite3',
        tableName: TABLE,
        tableCreated: true,
        insuranceLimiter: new RateLimiterMemory(options),
      }),
    close: () => {
      stop();
      db.close();
    },
  };
}
