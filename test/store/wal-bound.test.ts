/**
 * Under a writer that never pauses, the WAL of a SQLite file served by the checkpoint worker must
 * stay bounded: the log restarts from its beginning only after a checkpoint its writer sees
 * complete, which the worker racing the writer never finishes, so each store keeps an
 * autocheckpoint mark of its own (wal-checkpointer.ts). Both stores are driven far past a small
 * mark; without it the log grows with every commit.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDocStore } from '../../engine/src/domain/docs-sqlite.js';
import { createEngine } from '../../engine/src/index.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';

const MARK = 100;
const PAGE = 4096;
/**
 * The log at its largest: the mark, the commit that crosses it, and what the race leaves — which
 * on a loaded machine (the worker's checkpoint still reading when the writer's ends) can be a few
 * marks more. Without the mark the log grows with every commit, to 30 times the mark and more.
 */
const BOUND = 10 * MARK * PAGE;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'onething-wal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `write` `times` times and returns the largest size the WAL file reached. */
async function largestWal(file: string, times: number, write: (i: number) => Promise<unknown>) {
  let largest = 0;
  for (let i = 0; i < times; i++) {
    await write(i);
    if (i % 50 === 0) largest = Math.max(largest, statSync(`${file}-wal`).size);
  }
  return largest;
}

test('document store: thousands of commits past the mark, the WAL stays near it', async () => {
  const file = path.join(dir, 'docs.db');
  const docs = new SqliteDocStore(file, {}, { backgroundCheckpoints: true, checkpointPages: MARK });
  const body = 'x'.repeat(3000);
  // ≈ 3,000 pages written: 30 times the mark.
  const largest = await largestWal(file, 3000, (i) => docs.put('cases', { id: `c${i}`, rev: 1, body }, 0));
  expect(await docs.get('cases', 'c2999')).toMatchObject({ body });
  docs.close();
  expect(largest).toBeGreaterThan(MARK * PAGE * 0.5); // the writer did cross the mark
  expect(largest).toBeLessThan(BOUND);
});

test('engine store: a fan-out far past the mark, the WAL stays near it', async () => {
  const file = path.join(dir, 'engine.db');
  const store = new SqliteStore(file, { checkpointPages: MARK });
  const engine = createEngine({ store });
  await engine.deploy(readFileSync(new URL('../../bench/models/fanout.bpmn', import.meta.url), 'utf8'));
  // 8 commits an instance, ≈ 7 pages each: ≈ 11,000 pages.
  const largest = await largestWal(file, 200, async (i) => {
    let view = await engine.start('fanout', { businessKey: `b${i}` });
    while (view.openTasks.length) view = await engine.completeTask(view.openTasks[0]!.id);
    expect(view.status).toBe('completed');
  });
  await store.close();
  expect(largest).toBeLessThan(BOUND);
});
