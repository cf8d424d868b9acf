/**
 * Tasks are found by id without an index over every id (schema migration 7): an id of the
 * runtime's form sits at its own slot, any other id (or one whose slot is taken) in the spare
 * rows. Ids stay unique either way, and a replayed task.created adds nothing.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Task } from '../../api.js';
import { SqliteStore } from './index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/schema-v3.db', import.meta.url));
const OPEN = 'a3937169-3a1b-40c2-a194-dcf68d1e80b6';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'onething-task-slots-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function task(id: string, instanceId: string, createdAt: number): Task {
  return {
    id,
    instanceId,
    processId: 'p',
    elementId: 'e',
    state: 'open',
    department: 'd',
    candidateRoles: [],
    createdAt,
  };
}

/** Every id the store's tasks table holds, with its count. */
function idCounts(store: SqliteStore): Map<string, number> {
  const rows = store.db.prepare('SELECT id, count(*) AS c FROM tasks GROUP BY id').all() as {
    id: string;
    c: number;
  }[];
  return new Map(rows.map((r) => [r.id, r.c]));
}

describe('SqliteStore task slots', () => {
  it('finds, ends and refuses to duplicate tasks of every id shape', async () => {
    const store = new SqliteStore(path.join(dir, 'slots.db'));
    try {
      const ids = [
        'I.w7', // own slot 7
        'I.i7', // same number: spare
        'I.7', // no letters, same number: spare
        'I.w007', // leading zeros: spare
        'I.w0', // zero: spare
        'I.w99999999999', // beyond the own slots: spare
        'I.x.w8', // its instance would be 'I.x': spare
        'plain', // no dot: spare
        'J.w9', // names instance J but belongs to I: spare
        'I.w12',
      ];
      const tasks = ids.map((id, i) => task(id, 'I', 1000 + i));
      await store.project(
        'I',
        tasks.map((t) => ({ type: 'task.created' as const, task: t })),
      );
      // Replayed, one by one and all together: nothing added.
      for (const t of tasks) await store.project('I', [{ type: 'task.created', task: t }]);
      await store.project(
        'I',
        tasks.map((t) => ({ type: 'task.created' as const, task: t })),
      );
      // J's own task with the id I's spare task has: refused, ids are unique.
      await store.project('J', [{ type: 'task.created', task: task('J.w9', 'J', 5) }]);
      expect([...idCounts(store).values()].every((c) => c === 1)).toBe(true);
      expect(idCounts(store).size).toBe(ids.length);

      for (const t of tasks) expect(await store.getTask(t.id)).toEqual(t);
      // The runtime's shape sits at its own slot; the others are spare rows.
      const spare = store.db.prepare('SELECT id FROM tasks WHERE (n & 2147483648) <> 0 ORDER BY id').all();
      expect(spare.map((r) => (r as { id: string }).id)).toEqual(
        ids.filter((id) => id !== 'I.w7' && id !== 'I.w12').sort(),
      );
      expect(await store.getTask('I.w8')).toBeUndefined();
      expect(await store.getTask('K.w7')).toBeUndefined();
      expect((await store.findTasks({ instanceId: 'I' })).map((t) => t.id)).toEqual(ids);
      expect(await store.findTasks({ instanceId: 'J' })).toEqual([]);

      for (const [i, id] of ids.entries())
        await store.project('I', [{ type: 'task.ended', taskId: id, state: 'completed', at: 2000 + i }]);
      // Ended again (a replay): the first end stands.
      await store.project('I', [{ type: 'task.ended', taskId: 'I.w7', state: 'cancelled', at: 9 }]);
      for (const [i, id] of ids.entries())
        expect(await store.getTask(id)).toMatchObject({ state: 'completed', completedAt: 2000 + i });
      expect(await store.findTasks({ department: 'd', state: 'open' })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps tasks written before migration 7 findable, and a replay of one adds nothing', async () => {
    const file = path.join(dir, 'old.db');
    copyFileSync(FIXTURE, file);
    const store = new SqliteStore(file);
    try {
      const open = await store.findTasks({ instanceId: OPEN, state: 'open' });
      expect(open).toHaveLength(5);
      for (const t of open) expect(await store.getTask(t.id)).toEqual(t);
      await store.project(OPEN, [{ type: 'task.created', task: open[0]! }]);
      expect(idCounts(store).get(open[0]!.id)).toBe(1);
      await store.project(OPEN, [{ type: 'task.ended', taskId: open[0]!.id, state: 'completed', at: 1 }]);
      expect(await store.getTask(open[0]!.id)).toMatchObject({ state: 'completed', completedAt: 1 });
      expect(await store.findTasks({ instanceId: OPEN, state: 'open' })).toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});
