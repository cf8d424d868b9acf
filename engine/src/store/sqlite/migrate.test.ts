/**
 * Opening a database written by an older OneThing upgrades it in place. The fixture is a real
 * schema-version-3 file (history keyed by (instance_id, seq)) written by OneThing before
 * migration 4: one fan-out instance completed, one waiting on its five department tasks.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { HistoryEntry } from '../../api.js';
import { createEngine } from '../../index.js';
import { SqliteStore } from './index.js';
import { SCHEMA_VERSION } from './schema.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/schema-v3.db', import.meta.url));
const DONE = '795fbbc4-8ad8-4f36-bb6f-35075c7fdf1a';
const OPEN = 'a3937169-3a1b-40c2-a194-dcf68d1e80b6';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'onething-migrate-'));
  file = path.join(dir, 'old.db');
  copyFileSync(FIXTURE, file);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The history rows of the old file, read before any upgrade: instance id → entries in seq order. */
function oldHistory(): Map<string, HistoryEntry[]> {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    const byInstance = new Map<string, HistoryEntry[]>();
    const rows = db.prepare('SELECT instance_id, doc FROM history ORDER BY instance_id, seq').all() as {
      instance_id: string;
      doc: string;
    }[];
    for (const row of rows) {
      const list = byInstance.get(row.instance_id) ?? [];
      list.push(JSON.parse(row.doc) as HistoryEntry);
      byInstance.set(row.instance_id, list);
    }
    return byInstance;
  } finally {
    db.close();
  }
}

describe('SqliteStore opening a schema-version-3 file', () => {
  it('keeps every history entry, in order, and moves the database to the current version', async () => {
    const before = oldHistory();
    expect([...before.keys()].sort()).toEqual([OPEN, DONE].sort());
    expect(before.get(DONE)!.length).toBeGreaterThan(before.get(OPEN)!.length);

    const store = new SqliteStore(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      for (const [id, entries] of before) expect(await store.history(id)).toEqual(entries);
      // Tasks and instances moved to the new tables and indexes (migrations 5 and 6).
      const open = await store.findTasks({ instanceId: OPEN, state: 'open' });
      expect(open).toHaveLength(5);
      expect(await store.findTasks({ department: open[0]!.department!, state: 'open' })).toContainEqual(
        open[0],
      );
      expect(await store.findTasks({ instanceId: DONE, state: 'open' })).toEqual([]);
      expect((await store.findTasks({ instanceId: DONE })).length).toBeGreaterThan(0);
      expect((await store.listInstances({ status: 'active' })).map((r) => r.id)).toEqual([OPEN]);
      expect((await store.listInstances({ status: 'completed' })).map((r) => r.id)).toEqual([DONE]);
      // The old table is gone, not left beside the new one.
      const tables = store.db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'history%'").all();
      expect(tables.map((t) => (t as { name: string }).name).sort()).toEqual(['history']);
    } finally {
      await store.close();
    }
  });

  it('runs the waiting instance on after the upgrade: history continues from the old entries', async () => {
    const before = oldHistory().get(OPEN)!;
    const store = new SqliteStore(file);
    try {
      const engine = createEngine({ store });
      let view = await engine.instance(OPEN);
      expect(view.openTasks).toHaveLength(5);
      while (view.openTasks.length > 0) {
        const task = view.openTasks[0]!;
        view = await engine.completeTask(task.id, {
          variables: { [`${task.elementId}Decision`]: 'approved' },
        });
      }
      expect(view.status).toBe('completed');

      const history = await store.history(OPEN);
      expect(history.slice(0, before.length)).toEqual(before);
      expect(history.length).toBeGreaterThan(before.length);
      // Each entry once, in seq order (seq also numbers other ids, so it has gaps).
      const seqs = history.map((e) => e.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
      expect(history.at(-1)!.type).toBe('instance.completed');

      // A fresh store reads the same from the file (no cached history).
      await store.close();
      const again = new SqliteStore(file);
      try {
        expect(await again.history(OPEN)).toEqual(history);
      } finally {
        await again.close();
      }
    } finally {
      await store.close();
    }
  });

  it('ignores a replayed projection of entries already stored', async () => {
    const store = new SqliteStore(file);
    try {
      const entries = await store.history(OPEN);
      const last = entries.at(-1)!;
      const next: HistoryEntry = { ...last, id: `${OPEN}:${last.seq + 1}`, seq: last.seq + 1, type: 'probe' };
      // The last old entry again, then a new one: only the new one is added, once.
      await store.project(OPEN, [
        { type: 'history', entry: last },
        { type: 'history', entry: next },
      ]);
      await store.project(OPEN, [{ type: 'history', entry: next }]);
      // A later entry alone, then replayed together with one before it: both kept, in seq order.
      const skipped: HistoryEntry = { ...next, id: `${OPEN}:${next.seq + 1}`, seq: next.seq + 1 };
      const after: HistoryEntry = { ...next, id: `${OPEN}:${next.seq + 2}`, seq: next.seq + 2 };
      await store.project(OPEN, [{ type: 'history', entry: after }]);
      await store.project(OPEN, [
        { type: 'history', entry: after },
        { type: 'history', entry: skipped },
      ]);
      const fresh = new SqliteStore(file);
      try {
        expect(await fresh.history(OPEN)).toEqual([...entries, next, skipped, after]);
      } finally {
        await fresh.close();
      }
    } finally {
      await store.close();
    }
  });
});
