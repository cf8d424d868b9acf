/**
 * MongoDB for tests. The jest global set-up (test/global-setup.ts) starts the FerretDB-based
 * test server and sets ONETHING_TEST_MONGODB_URI; set that variable yourself to run the tests
 * against a real MongoDB instead. Tests that need MongoDB must call these helpers: they throw
 * (the test fails, it is never skipped) when no server is available.
 */
import { randomBytes } from 'node:crypto';

/** Base URI of the test MongoDB server, e.g. `mongodb://127.0.0.1:40123/`. Throws if there is none. */
export function testMongoUri(): string {
  const uri = process.env.ONETHING_TEST_MONGODB_URI;
  if (uri) return uri;
  const reason = process.env.ONETHING_TEST_MONGODB_ERROR;
  throw new Error(
    'No test MongoDB server: ONETHING_TEST_MONGODB_URI is not set.\n' +
      (reason
        ? `The jest global set-up could not start the FerretDB test server:\n${reason}\n`
        : 'Run the tests through jest with the project config (globalSetup: test/global-setup.ts), ' +
          'or set ONETHING_TEST_MONGODB_URI to a MongoDB URI.\n') +
      'Build the server with: bash test/mongo-server/build.sh',
  );
}

/**
 * A URI for a database of its own: `name` (sanitised) plus a unique suffix, so test files,
 * reruns and parallel workers never share data. Database names are limited to [A-Za-z0-9_-],
 * at most 63 characters (FerretDB's rule, also valid on MongoDB).
 */
export function freshDbUri(name: string): string {
  const base = testMongoUri();
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'test';
  const db = `${clean.slice(0, 63 - suffix.length - 1)}_${suffix}`;
  return withDatabase(base, db);
}

/** Replaces the database path of a mongodb:// or mongodb+srv:// URI (multi-host URIs included). */
export function withDatabase(uri: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${db}${m[3] ?? ''}`;
}
