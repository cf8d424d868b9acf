/**
 * `restore --force` while a server has the database open would swap the file under it: the
 * server writes on into the old one and every write it acknowledges is lost. Restore refuses
 * while any connection holds the database (SQLite's own locks); --force only replaces a
 * database no one uses. And the admin CLI finds the database as `npm start` does, an empty
 * ONETHING_DB counting as unset.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { main } from '../../engine/src/security/admin-cli.js';
import { backupSqlite, databaseInUse, restoreSqlite } from '../../engine/src/security/backup.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'onething-inuse-'));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const doc = (id: string) => ({ id, rev: 0, status: 'draft' });

/** A database with one document, closed, and a backup of it. */
async function databaseAndBackup(dir: string): Promise<{ db: string; backup: string }> {
  const db = join(dir, 'onething.db');
  const store = new SqliteDocStore(db);
  await store.put('applications', doc('before-backup'), 0);
  store.close();
  const backup = join(dir, 'backup.db');
  await backupSqlite(db, backup);
  return { db, backup };
}

describe('restore over a database in use', () => {
  it('is refused while a store has it open, even with --force, and works once it is closed', async () => {
    const dir = tmp();
    const { db, backup } = await databaseAndBackup(dir);
    const server = new SqliteDocStore(db);
    await server.put('applications', doc('acknowledged'), 0);
    try {
      expect(databaseInUse(db)).toBe(true);
      await expect(restoreSqlite(backup, db, { force: true })).rejects.toThrow(
        /onething\.db is open in another process \(a running server, or another onething-admin command\): stop it first/,
      );
      const cli = io();
      expect(await main(['restore', backup, '--db', db, '--force'], cli.io, { ONETHING_DATA_DIR: dir })).toBe(
        1,
      );
      expect(cli.err.join('\n')).toMatch(/is open in another process/);
      expect(await server.get('applications', 'acknowledged')).toBeDefined();
    } finally {
      server.close();
    }
    expect(databaseInUse(db)).toBe(false);
    await restoreSqlite(backup, db, { force: true });
    const restored = new SqliteDocStore(db);
    expect((await restored.find('applications')).map((r) => r.id)).toEqual(['before-backup']);
    restored.close();
  });
});

describe('the admin CLI with ONETHING_DB empty', () => {
  it('uses <ONETHING_DATA_DIR>/onething.db, as when it is unset', async () => {
    const dir = tmp();
    await databaseAndBackup(dir);
    const r = io();
    const env = { ONETHING_DB: '', ONETHING_DATA_DIR: dir };
    expect(await main(['backup', join(dir, 'again.db')], r.io, env)).toBe(0);
    expect(JSON.parse(r.out[0]!).source).toBe(join(dir, 'onething.db'));
    const blank = io();
    expect(await main(['backup', join(dir, 'blank.db')], blank.io, { ...env, ONETHING_DB: '  ' })).toBe(0);
    expect(JSON.parse(blank.out[0]!).source).toBe(join(dir, 'onething.db'));
  });
});
