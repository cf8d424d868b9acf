/**
 * Online backup while another connection keeps writing, restore into a new file, data intact;
 * restore refuses to clobber a database without --force and keeps the old one; the admin CLI.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { DOC_INDEXES } from '../../engine/src/domain/open-docs.js';
import { main } from '../../engine/src/security/admin-cli.js';
import { backupSqlite, restoreSqlite } from '../../engine/src/security/backup.js';

interface Row {
  id: string;
  rev: number;
  status: string;
  createdAt: number;
  payload: string;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'onething-backup-'));
const row = (i: number): Row => ({
  id: `a${String(i).padStart(6, '0')}`,
  rev: 0,
  status: 'draft',
  createdAt: i,
  payload: `${i}:`.padEnd(600, 'x'),
});

async function all(file: string): Promise<Map<string, Row>> {
  const s = new SqliteDocStore(file, DOC_INDEXES);
  const rows = await s.find<Row>('applications');
  s.close();
  return new Map(rows.map((r) => [r.id, r]));
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('SQLite backup and restore', () => {
  it('backs up a live store while another connection writes; the restore holds every row written before the backup', async () => {
    const dir = tmp();
    const db = join(dir, 'live.db');
    const seedStore = new SqliteDocStore(db, DOC_INDEXES);
    for (let i = 0; i < 3000; i++) await seedStore.put('applications', row(i), 0);
    const before = await all(db);

    // The writer: a second connection inserting and updating between the backup's steps.
    const writer = new SqliteDocStore(db, DOC_INDEXES);
    let writing = true;
    let written = 0;
    const writes = (async () => {
      for (let i = 3000; writing; i++) {
        await writer.put('applications', row(i), 0);
        const old = before.get(row(i % 3000).id)!;
        const current = (await writer.get<Row>('applications', old.id))!;
        await writer.put('applications', { ...current, status: 'submitted' }, current.rev);
        written++;
        await tick();
      }
    })();
    await tick();
    const report = await backupSqlite(db, join(dir, 'backup.db'), { pagesPerStep: 8 });
    writing = false;
    await writes;
    writer.close();
    seedStore.close();

    expect(written).toBeGreaterThan(0);
    expect(report.pages).toBeGreaterThan(100);
    expect(report.counts.docs).toBeGreaterThanOrEqual(3000);
    console.log(
      `backup: ${report.pages} pages, ${report.bytes} bytes, ${report.restarts} restarts by the writer, ` +
        `${written} write rounds meanwhile, ${report.counts.docs} docs in the copy, ${report.ms} ms`,
    );

    const target = join(dir, 'restored', 'onething.db');
    const restored = await restoreSqlite(report.destination, target);
    expect(restored.previous).toBeUndefined();
    const got = await all(target);
    // Every row from before is there, as it was or with a later update; nothing torn.
    for (const [id, r] of before) {
      const g = got.get(id);
      expect(g).toBeDefined();
      expect(g!.payload).toBe(r.payload);
      expect(['draft', 'submitted']).toContain(g!.status);
      expect(g!.rev === 1 || (g!.rev === 2 && g!.status === 'submitted')).toBe(true);
    }
    // A consistent snapshot: an update of row k%3000 was written after insert k, so an insert in
    // the copy implies its paired update is in the copy too.
    for (const [id, g] of got) {
      const i = Number(id.slice(1));
      if (i >= 3000) expect(got.get(row(i % 3000).id)!.status).toBe('submitted');
      expect(g.payload.startsWith(`${i}:`)).toBe(true);
    }
    // The restored file is a working store.
    const s = new SqliteDocStore(target, DOC_INDEXES);
    await s.put('applications', row(999_999), 0);
    expect(await s.count('applications')).toBe(got.size + 1);
    s.close();
  });

  it('restore refuses to replace a database without force, and keeps the old one with it', async () => {
    const dir = tmp();
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');
    const sa = new SqliteDocStore(a);
    await sa.put('applications', row(1), 0);
    sa.close();
    const sb = new SqliteDocStore(b);
    await sb.put('applications', row(2), 0);
    sb.close();
    await backupSqlite(a, join(dir, 'a.bak'));
    await expect(backupSqlite(a, join(dir, 'a.bak'))).rejects.toThrow(/exists; pass --force/);
    await expect(restoreSqlite(join(dir, 'a.bak'), b)).rejects.toThrow(
      /stop the server, then run restore with --force/,
    );
    const report = await restoreSqlite(join(dir, 'a.bak'), b, { force: true });
    expect([...(await all(b)).keys()]).toEqual([row(1).id]);
    expect([...(await all(report.previous!)).keys()]).toEqual([row(2).id]);
    expect(existsSync(`${b}-wal`)).toBe(false);
    await expect(restoreSqlite(join(dir, 'missing.bak'), b)).rejects.toThrow(/no backup at/);
  });

  it('the admin CLI backs up and restores, and explains its errors', async () => {
    const dir = tmp();
    const db = join(dir, 'onething.db');
    const s = new SqliteDocStore(db);
    await s.put('applications', row(7), 0);
    s.close();
    const ok = io();
    expect(await main(['backup', join(dir, 'x.bak'), '--db', db], ok.io)).toBe(0);
    expect(JSON.parse(ok.out[0]!)).toMatchObject({ ok: true, counts: { docs: 1, 'docs.applications': 1 } });
    const env = { ONETHING_DATA_DIR: dir };
    expect(await main(['restore', join(dir, 'x.bak'), '--force'], io().io, env)).toBe(0);
    expect(readdirSync(dir).some((f) => f.startsWith('onething.db.before-restore-'))).toBe(true);
    expect([...(await all(db)).keys()]).toEqual([row(7).id]);

    const bad = io();
    expect(await main(['backup'], bad.io)).toBe(64);
    expect(bad.err.join('\n')).toMatch(/expected exactly one destination file/);
    expect(await main(['backup', join(dir, 'y.bak'), '--db', join(dir, 'none.db')], bad.io)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/no database at/);
    expect(await main(['purge', '--db', db], bad.io)).toBe(64);
    expect(await main(['frobnicate'], bad.io)).toBe(64);
    const key = io();
    expect(await main(['new-key'], key.io)).toBe(0);
    expect(Buffer.from(JSON.parse(key.out[0]!).ONETHING_DATA_KEY, 'base64')).toHaveLength(32);
  });
});
