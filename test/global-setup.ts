/**
 * Jest global set-up: starts the test MongoDB-wire server (FerretDB, test/mongo-server) once per
 * jest run and exports its URI as ONETHING_TEST_MONGODB_URI (workers inherit this process's env).
 *
 * - If ONETHING_TEST_MONGODB_URI is already set (e.g. a real MongoDB replica set), it is used
 *   as is and no server is started.
 * - If the server cannot start, the run goes on (SQLite tests still count), the URI stays unset
 *   and tests that need MongoDB fail through testMongoUri() (test/support/mongo.ts) with the
 *   reason, which is passed in ONETHING_TEST_MONGODB_ERROR. Nothing is skipped.
 */
import { createRequire } from 'node:module';
import type { MongoServer } from './mongo-server/launch.js';
import type * as Launch from './mongo-server/launch.js';

// Jest loads the global set-up outside its module system, so Node would resolve a static
// `import ... from './mongo-server/launch.js'` itself and find no .js file. Jest's require hook,
// active while this hook runs, transforms .ts files loaded with require(): use that.
const requireTs = createRequire(import.meta.url);

declare global {
  var __ONETHING_MONGO_SERVER__: MongoServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.ONETHING_TEST_MONGODB_URI) return;
  try {
    const { startMongoServer } = requireTs('./mongo-server/launch.ts') as typeof Launch;
    const server = await startMongoServer();
    globalThis.__ONETHING_MONGO_SERVER__ = server;
    process.env.ONETHING_TEST_MONGODB_URI = server.uri;
    delete process.env.ONETHING_TEST_MONGODB_ERROR;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.env.ONETHING_TEST_MONGODB_ERROR = message;
    process.stderr.write(
      `\n[global-setup] WARNING: the test MongoDB server did not start; MongoDB tests will fail.\n${message}\n`,
    );
  }
}
