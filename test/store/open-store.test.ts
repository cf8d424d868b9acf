/**
 * openStore(): what `npm start` opens. With no configuration, SQLite at data/onething.db under
 * the working directory (created with its directory); opening it again (a restart) finds the
 * data; ONETHING_DB moves the file; MONGODB_URI selects MongoDB.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { DEFAULT_DB_FILE, openStore, SqliteStore } from '../../engine/src/store/index.js';
import { freshDbUri } from '../support/mongo.js';
import { spawnTs } from './child.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onething-open-'));
  dirs.push(dir);
  return dir;
}

/** Runs the child in `cwd` with `env` and returns its JSON line. */
async function run(cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const child = spawnTs('open-store-child.ts', [], { MONGODB_URI: '', ONETHING_DB: '', ...env }, cwd);
  const exit = await child.exited;
  if (exit.code !== 0)
    throw new Error(`open-store-child failed (${exit.code ?? exit.signal}):\n${child.stderr()}`);
  return JSON.parse(child.lines.at(-1)!) as Record<string, unknown>;
}

test('with no configuration: data/onething.db is created and a restart keeps its data', async () => {
  const cwd = tempDir();
  const first = await run(cwd, {});
  expect(first).toMatchObject({ store: 'SqliteStore', open: ['accept'] });
  expect(existsSync(path.join(cwd, DEFAULT_DB_FILE))).toBe(true);

  const second = await run(cwd, {});
  expect(second).toMatchObject({
    store: 'SqliteStore',
    found: first.started,
    completed: ['accept'],
    status: 'active',
    variables: { 'first.run': true },
    deployments: 1,
  });
  const third = await run(cwd, {});
  expect(third).toMatchObject({ found: first.started, completed: ['decide'], status: 'completed' });
}, 60_000);

test('ONETHING_DB moves the file (its directory is created)', async () => {
  const cwd = tempDir();
  const file = path.join(tempDir(), 'nested', 'dir', 'centre.db');
  const first = await run(cwd, { ONETHING_DB: file });
  expect(existsSync(file)).toBe(true);
  expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  expect(await run(cwd, { ONETHING_DB: file })).toMatchObject({ found: first.started });
}, 60_000);

test('MONGODB_URI selects MongoDB, and a second open keeps the data', async () => {
  const uri = freshDbUri('open-store');
  const first = await run(tempDir(), { MONGODB_URI: uri });
  expect(first).toMatchObject({ store: 'MongoStore', open: ['accept'] });
  expect(await run(tempDir(), { MONGODB_URI: uri })).toMatchObject({
    store: 'MongoStore',
    found: first.started,
  });
  const store = await openStore({ MONGODB_URI: uri });
  expect(store).toBeInstanceOf(MongoStore);
  await (store as MongoStore).connection.dropDatabase();
  await store.close();
}, 60_000);

test('openStore in this process: SQLite options, and a bad ONETHING_DB_SYNCHRONOUS is refused', async () => {
  const file = path.join(tempDir(), 'x.db');
  const store = await openStore({ ONETHING_DB: file, ONETHING_DB_SYNCHRONOUS: 'full' });
  expect(store).toBeInstanceOf(SqliteStore);
  expect((store as SqliteStore).db.pragma('synchronous', { simple: true })).toBe(2); // FULL
  expect((store as SqliteStore).db.pragma('journal_mode', { simple: true })).toBe('wal');
  await store.close();
  const normal = (await openStore({ ONETHING_DB: file })) as SqliteStore;
  expect(normal.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
  await normal.close();
  await expect(openStore({ ONETHING_DB: file, ONETHING_DB_SYNCHRONOUS: 'sometimes' })).rejects.toThrow(
    /ONETHING_DB_SYNCHRONOUS/,
  );
});
