/**
 * A MongoDB commit is several writes without a transaction: the compare-and-set save carrying the
 * whole outbox, then projections and the outbox clear. Once the save is written the commit must
 * not be reported failed (a client would repeat the command: a second instance on a retried
 * start); what failed after it is left in the saved outbox for recover(), and nothing may clear
 * that outbox before it is projected. Failures are injected by wrapping collection methods.
 */
import { createEngine } from '../../engine/src/index.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import { freshDbUri } from '../support/mongo.js';
import { PERMIT } from './processes.js';
import { created, hist, record, T0, task } from './records.js';

const opened: MongoStore[] = [];
afterAll(async () => {
  for (const s of opened) {
    await s.connection.dropDatabase().catch(() => undefined);
    await s.close();
  }
});

async function open(name: string): Promise<MongoStore> {
  const store = await MongoStore.open(freshDbUri(name));
  opened.push(store);
  return store;
}

type BulkWrite = MongoStore['models']['Record']['collection']['bulkWrite'];

/**
 * Wraps a collection's bulkWrite: `plan(n)` for the n-th call (from 1) says what to do:
 * 'pass', 'fail' (nothing written), or a number k: write the first k operations, then fail.
 */
function intercept(
  collection: { bulkWrite: BulkWrite },
  plan: (call: number) => 'pass' | 'fail' | number,
): void {
  const bulkWrite = collection.bulkWrite.bind(collection) as BulkWrite;
  let calls = 0;
  collection.bulkWrite = (async (ops: Parameters<BulkWrite>[0], options?: Parameters<BulkWrite>[1]) => {
    const what = plan(++calls);
    if (typeof what === 'number') await bulkWrite(ops.slice(0, what), options);
    if (what !== 'pass') throw new Error(`simulated failure of bulk write ${calls}`);
    return bulkWrite(ops, options);
  }) as BulkWrite;
}

/** The task a commit left unprojected is missing until recover() finishes the one outbox left. */
async function expectRecovered(store: MongoStore, taskId: string): Promise<void> {
  expect(await store.getTask(taskId)).toBeUndefined();
  expect(await createEngine({ store }).recover()).toBe(1);
  expect((await store.getTask(taskId))!.state).toBe('open');
  expect(await store.pendingOutboxes(10)).toEqual([]);
}

const withTask = (id: string) => record(id, 1, [created(task(`${id}.w1`, { instanceId: id })), hist(id, 1)]);
const timer: Effect = { type: 'timer.scheduled', timerId: 'i1.w2', dueAt: T0, elementId: 'cooling' };
const followUp: Effect = { type: 'call.cancelled', waitId: 'w9' };

/** A permit started on a fresh database, the projection of its timer failing once: it resolves. */
async function startWithTimerFailing(name: string, businessKey: string) {
  const store = await open(name);
  const engine = createEngine({ store });
  await engine.deploy(PERMIT);
  intercept(store.models.Timer.collection, (call) => (call === 1 ? 'fail' : 'pass'));
  return { store, engine, view: await engine.start('permit', { businessKey }) };
}

test('a start whose timer projection fails after the save resolves; recover() projects the rest', async () => {
  const { store, engine, view } = await startWithTimerFailing('commit-timer-fails', 'BK-1');
  expect((await store.listInstances({ businessKey: 'BK-1' })).map((r) => r.id)).toEqual([view.id]);
  expect((await store.pendingOutboxes(10)).map((r) => r.id)).toEqual([view.id]);
  expect(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  expect(await engine.recover()).toBe(1);
  expect((await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).map((t) => t.instanceId)).toEqual([view.id]);
  expect(await store.pendingOutboxes(10)).toEqual([]);
});

test('the next command after such a commit carries its outbox on and projects it', async () => {
  const { store, engine, view } = await startWithTimerFailing('commit-carried', 'BK-2');
  await engine.completeTask(view.openTasks[0]!.id);
  expect((await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).map((t) => t.instanceId)).toEqual([view.id]);
  expect(await store.pendingOutboxes(10)).toEqual([]);
  expect((await store.getInstance(view.id))!.rev).toBe(2);
});

test('the follow-ups’ clear after such a commit projects the outbox first, or leaves it', async () => {
  const store = await open('commit-unfinished-clear');
  // The commit's timer projection fails, and again when the first clear projects it.
  intercept(store.models.Timer.collection, (call) => (call <= 2 ? 'fail' : 'pass'));
  const outbox = [timer, followUp, hist('i1', 1)];
  await store.commit(record('i1', 1, outbox), null);
  expect((await store.getInstance('i1'))!.outbox).toEqual(outbox);
  // The engine has run the follow-ups and clears: the projection fails, so the outbox stays.
  await store.clearOutbox('i1', 1);
  expect((await store.getInstance('i1'))!.outbox).toEqual(outbox);
  expect(await store.dueTimers(T0, 10)).toEqual([]);
  // Now it can be written: projected, then cleared.
  await store.clearOutbox('i1', 1);
  expect((await store.dueTimers(T0, 10)).map((t) => t.id)).toEqual(['i1.w2']);
  expect((await store.getInstance('i1'))!.outbox).toEqual([]);
  expect(await store.pendingOutboxes(10)).toEqual([]);
});

test('a commit whose batch fails after its save resolves, with its outbox left for recover()', async () => {
  const store = await open('commit-batch-fails');
  // The save goes through, then the connection is lost.
  intercept(store.models.Record.collection, (call) => (call === 1 ? 1 : 'pass'));
  await store.commit(withTask('s'), null);
  expect((await store.getInstance('s'))!.rev).toBe(1);
  await expectRecovered(store, 's.w1');
});

test('a group whose write fails part-way: a commit whose save went through resolves, whatever fails after', async () => {
  const store = await open('commit-group-fails');
  // The group's bulk write gets the first save through and fails; then the rest of that commit fails too.
  intercept(store.models.Record.collection, (call) => (call === 1 ? 1 : call === 2 ? 'fail' : 'pass'));
  const grouped = { grouped: true };
  await Promise.all([store.commit(withTask('a'), null, grouped), store.commit(withTask('b'), null, grouped)]);
  expect((await store.getTask('b.w1'))!.state).toBe('open');
  expect((await store.pendingOutboxes(10)).map((r) => r.id)).toEqual(['a']);
  await expectRecovered(store, 'a.w1');
});

test('a group whose write fails after a save with nothing to project: that commit resolves', async () => {
  const store = await open('commit-group-save-only');
  intercept(store.models.Record.collection, (call) => (call === 1 ? 1 : 'pass'));
  const grouped = { grouped: true };
  await Promise.all([
    store.commit(record('a', 1), null, grouped),
    store.commit(withTask('b'), null, grouped),
  ]);
  expect((await store.getInstance('a'))!.rev).toBe(1);
  expect((await store.getTask('b.w1'))!.state).toBe('open');
  expect(await store.pendingOutboxes(10)).toEqual([]);
});
