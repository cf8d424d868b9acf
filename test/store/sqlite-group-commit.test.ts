/**
 * Group commit on SQLite: commits made while other commands are under way wait for the end of
 * the event-loop turn and are written in one transaction. Each must still be committed when it
 * resolves, fail alone, survive a close, and a client working alone must never wait for a group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../../engine/src/index.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import type { CommitOptions, InstanceRecord } from '../../engine/src/store/port.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import {
  chain,
  definitions,
  endEvent,
  flow,
  process,
  startEvent,
  userTask,
} from '../../engine/src/testing/bpmn.js';
import { TWO_STEP } from './processes.js';
import { created, hist, record, task } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'onething-group-commit-'));
let files = 0;
const newFile = () => join(dir, `g${files++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grouped: CommitOptions = { grouped: true };
const withTask = (id: string, effects: Effect[] = []): InstanceRecord =>
  record(id, 1, [created(task(`${id}.w1`, { instanceId: id })), hist(id, 1), ...effects]);

/** What another process sees in the file: committed instances only. */
function committedIds(file: string): string[] {
  const reader = new Database(file, { readonly: true });
  try {
    return (reader.prepare('SELECT id FROM instances ORDER BY id').all() as { id: string }[]).map(
      (r) => r.id,
    );
  } finally {
    reader.close();
  }
}

test('grouped commits wait for the end of the turn, then are all committed; a plain commit then joins them', async () => {
  const file = newFile();
  const store = new SqliteStore(file);
  const pending = [
    store.commit(withTask('a'), null, grouped),
    store.commit(withTask('b'), null, grouped),
    // Not asked to group, but a group is on its way: it joins instead of writing alone first.
    store.commit(withTask('c'), null),
  ];
  expect(committedIds(file)).toEqual([]);
  await Promise.all(pending);
  expect(committedIds(file)).toEqual(['a', 'b', 'c']);
  await store.close();
});

test('a commit whose projection fails is rolled back alone, the instance key it made included', async () => {
  const file = newFile();
  const store = new SqliteStore(file);
  // A timer without a due time breaks a NOT NULL column after the task made the instance's key.
  const broken: Effect = { type: 'timer.scheduled', timerId: 'k.t', elementId: 'wait', dueAt: null as never };
  const outcomes = await Promise.allSettled([
    store.commit(withTask('j'), null, grouped),
    store.commit(withTask('k', [broken]), null, grouped),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
  expect(committedIds(file)).toEqual(['j']);
  // The instance starts again; what it writes must be found under its own key by a fresh store.
  await store.commit(withTask('k'), null);
  await store.close();
  const cold = new SqliteStore(file);
  expect((await cold.getTask('k.w1'))?.state).toBe('open');
  expect((await cold.history('k')).map((h) => h.seq)).toEqual([1]);
  expect((await cold.getTask('j.w1'))?.state).toBe('open');
  await cold.close();
});

test('closing the store writes the commits still held back, also those made while it closes', async () => {
  const file = newFile();
  const store = new SqliteStore(file);
  const held = store.commit(withTask('x'), null, grouped);
  const closing = store.close();
  // A command still running when a server stops: the close is under way (its worker stopping).
  const late = store.commit(withTask('y'), null, grouped);
  await closing;
  await Promise.all([held, late]);
  expect(committedIds(file)).toEqual(['x', 'y']);
});

test('a read while a grouped commit waits does not leave the older record as the one committed', async () => {
  const store = new SqliteStore(newFile());
  await store.commit(withTask('r'), null);
  const published: Effect = {
    type: 'message.published',
    messageName: 'm',
    correlationKey: null,
    variables: {},
    deliveryId: 'r@2#0',
  };
  const next = record('r', 2, [hist('r', 2), published]);
  const saving = store.commit(next, 1, grouped);
  expect((await store.getInstance('r'))?.rev).toBe(1); // not committed yet
  await saving;
  expect(store.committedInstance('r')?.rev ?? 2).toBe(2);
  expect((await store.getInstance('r'))?.rev).toBe(2);
  await store.close();
});

/** An engine on SQLite whose commits are recorded with the options the engine gave. */
async function recordingEngine(xml = TWO_STEP) {
  const store = new SqliteStore(newFile());
  const asked: (CommitOptions | undefined)[] = [];
  const commit = store.commit.bind(store);
  store.commit = (r, rev, options) => {
    asked.push(options);
    return commit(r, rev, options);
  };
  const engine = createEngine({ store });
  await engine.deploy(xml);
  return { store, engine, asked };
}

test('the engine asks to group only while other starts or commands are under way', async () => {
  const { store, engine, asked } = await recordingEngine();
  // One client alone: every commit written at once.
  const alone = await engine.start('two-step');
  await engine.completeTask(alone.openTasks[0]!.id);
  expect(asked.length).toBeGreaterThanOrEqual(2);
  expect(asked.every((o) => o === undefined)).toBe(true);

  // Ten clients at once: all but the last one in flight are asked to group.
  asked.length = 0;
  const views = await Promise.all(Array.from({ length: 10 }, () => engine.start('two-step')));
  expect(asked.filter((o) => o?.grouped).length).toBeGreaterThanOrEqual(9);
  const next = await Promise.all(views.map((v) => engine.completeTask(v.openTasks[0]!.id)));
  expect(next.map((v) => v.openTasks.length)).toEqual(views.map(() => 1));
  await store.close();

  // Every instance is where its view says, as a fresh store reads it.
  const cold = new SqliteStore(store.file);
  for (const v of next) {
    const task = await cold.getTask(v.openTasks[0]!.id);
    expect(task?.state).toBe('open');
    expect((await cold.getInstance(v.id))?.rev).toBe(2);
  }
  await cold.close();
});

/** A start that calls a process ending at once, then five department reviews at the same time. */
const CALL_THEN_FIVE = definitions(
  process('quick', `${startEvent('s')}${endEvent('e')}${chain('s', 'e')}`) +
    process(
      'lone',
      `
    ${startEvent('start')}
    <bpmn:callActivity id="lookup" calledElement="quick"/>
    <bpmn:parallelGateway id="fork"/>
    ${[1, 2, 3, 4, 5].map((i) => userTask(`r${i}`, { department: `d${i}` })).join('')}
    <bpmn:parallelGateway id="join"/>
    ${endEvent('end')}
    ${chain('start', 'lookup', 'fork')}
    ${[1, 2, 3, 4, 5].map((i) => flow('fork', `r${i}`) + flow(`r${i}`, 'join')).join('')}
    ${chain('join', 'end')}`,
    ),
);

test('a client alone never waits for a group: not for the follow-ups of its start, nor for its own commands queued on one instance', async () => {
  const { store, engine, asked } = await recordingEngine(CALL_THEN_FIVE);
  const started = await engine.start('lone');
  expect(started.openTasks).toHaveLength(5);
  // Five completions sent at once to one instance wait for its lock one after another.
  const views = await Promise.all(started.openTasks.map((t) => engine.completeTask(t.id)));
  expect(views.at(-1)?.status).toBe('completed');
  expect(asked.length).toBeGreaterThanOrEqual(9);
  expect(asked.filter((o) => o?.grouped)).toEqual([]);
  await store.close();
});
