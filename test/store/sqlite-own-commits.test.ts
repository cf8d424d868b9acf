/**
 * SqliteStore answers a command's instance, its open task and the view's history from what it
 * committed itself (committedInstance, committedOpenTask, history at a rev), without a read. Two
 * stores on one file stand for two processes: what one keeps goes stale when the other moves an
 * instance on, and each answer must still be what a store that kept nothing reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type InstanceView } from '../../engine/src/index.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import { PERMIT, TWO_STEP } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'onething-own-commits-'));
const file = join(dir, 'shared.db');
const mine = new SqliteStore(file);
const theirs = new SqliteStore(file);
const me: Engine = createEngine({ store: mine });
const them: Engine = createEngine({ store: theirs });

/** What a store that kept nothing reads. */
async function read<T>(what: (s: SqliteStore) => Promise<T>): Promise<T> {
  const cold = new SqliteStore(file);
  try {
    return await what(cold);
  } finally {
    await cold.close();
  }
}

/** The view's history is what a cold store reads, and so is the kept history at the view's rev. */
async function historyAsRead(view: InstanceView): Promise<void> {
  const stored = await read((s) => s.history(view.id));
  expect(view.history).toEqual(stored);
  const rev = (await read((s) => s.getInstance(view.id)))!.rev;
  expect(await mine.history(view.id, rev)).toEqual(stored);
}

beforeAll(async () => {
  await me.deploy(TWO_STEP);
  await me.deploy(PERMIT);
});
afterAll(async () => {
  await mine.close();
  await theirs.close();
  rmSync(dir, { recursive: true, force: true });
});

test('its own commits: record, open task and history as a cold store reads them', async () => {
  const started = await me.start('two-step', { variables: { n: 1 } });
  const accept = started.openTasks[0]!.id;
  expect(mine.committedOpenTask(accept)).toEqual(await read((s) => s.getTask(accept)));
  const next = await me.completeTask(accept, { variables: { note: 'ok' } });
  expect(mine.committedOpenTask(accept)).toBeUndefined(); // completed now
  expect(mine.committedInstance(next.id)).toEqual(await read((s) => s.getInstance(next.id)));
  await historyAsRead(next);
  // An older revision than the one kept is read, not answered from memory.
  expect(await mine.history(next.id, 1)).toEqual(next.history);
});

test('a record the other process moved on: the command is decided again on a read', async () => {
  const started = await me.start('permit', { businessKey: 'BK-moved' });
  await them.correlate('fee.paid', { correlationKey: 'BK-moved' });
  const after = await me.completeTask(started.openTasks[0]!.id);
  expect(after.openTasks).toEqual([]);
  await historyAsRead(after);
  const completions = after.history.filter((h) => h.type === 'task.completed');
  expect(completions).toHaveLength(1);
  expect(mine.committedInstance(after.id)).toEqual(await read((s) => s.getInstance(after.id)));
});

test('a task the other process completed is reported already completed', async () => {
  for (const finishInstance of [false, true]) {
    const started = await me.start('two-step');
    const task = started.openTasks[0]!.id;
    expect(mine.committedOpenTask(task)?.state).toBe('open');
    const decide = (await them.completeTask(task)).openTasks[0]!.id;
    if (finishInstance) await them.completeTask(decide);
    await expect(me.completeTask(task)).rejects.toMatchObject({
      code: 'conflict',
      message: `task ${task} is already completed`,
    });
  }
});

test('a view after the other process changed the instance reads the change', async () => {
  const started = await me.start('two-step');
  await them.completeTask(started.openTasks[0]!.id);
  const view = await me.instance(started.id);
  expect(view.openTasks.map((t) => t.elementId)).toEqual(['decide']);
  expect(view.history).toEqual(await read((s) => s.history(started.id)));
});
