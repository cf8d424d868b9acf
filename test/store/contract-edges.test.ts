/**
 * Edges of the Store contract (see contract.test.ts), run unchanged against every adapter: a
 * limit of 0 gives nothing, and a commit that expects a revision of an instance that does not
 * exist is a conflict that writes nothing.
 */
import type { Effect } from '../../engine/src/runtime/state.js';
import { ConflictError, type Store } from '../../engine/src/store/port.js';
import { created, hist, record, T0, task } from './records.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

describe.each(ALL)('Store contract edges: $kind', (factory: StoreFactory) => {
  let store: Store;

  beforeEach(async () => {
    store = await factory.open(
      factory.location(`edges-${factory.kind}-${expect.getState().currentTestName ?? ''}`),
    );
  });
  afterEach(async () => {
    if (!store) return;
    await dropStore(store);
    await store.close();
  });
  afterAll(() => factory.cleanup());

  const withTask = (id: string, outbox: Effect[] = []) =>
    record(id, 1, [created(task(`${id}.w1`, { instanceId: id })), hist(id, 1), ...outbox]);
  const timer = (id: string): Effect => ({
    type: 'timer.scheduled',
    timerId: `${id}.w2`,
    dueAt: T0,
    elementId: 't',
  });

  test('a limit of 0 gives nothing: instance and task pages, pending outboxes, due timers', async () => {
    for (const id of ['a', 'b']) {
      const r = withTask(id, [timer(id)]);
      await store.createInstance(r);
      await store.project(id, r.outbox);
    }
    await store.clearOutbox('a', 1);
    expect(await store.listInstances({}, { limit: 0 })).toEqual([]);
    expect(await store.listInstances({}, { limit: 0, after: 'a' })).toEqual([]);
    expect(await store.findTasks({}, { limit: 0 })).toEqual([]);
    expect(await store.findTasks({ state: 'open' }, { limit: 0 })).toEqual([]);
    expect(await store.pendingOutboxes(0)).toEqual([]);
    expect(await store.dueTimers(T0 + 1, 0)).toEqual([]);
    // The same queries with a limit find them.
    expect(await store.listInstances({}, { limit: 5 })).toHaveLength(2);
    expect(await store.findTasks({}, { limit: 5 })).toHaveLength(2);
    expect(await store.pendingOutboxes(5)).toHaveLength(1);
    expect(await store.dueTimers(T0 + 1, 5)).toHaveLength(2);
  });

  test('a commit (when offered) expecting a revision of a missing instance is a conflict and writes nothing', async () => {
    if (!store.commit) return;
    const ghost = record('ghost', 6, [created(task('ghost.w1', { instanceId: 'ghost' })), hist('ghost', 6)]);
    await expect(store.commit(ghost, 5)).rejects.toBeInstanceOf(ConflictError);
    // Grouped too, beside a commit that goes through.
    const outcomes = await Promise.allSettled([
      store.commit(withTask('a'), null, { grouped: true }),
      store.commit(ghost, 5, { grouped: true }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await store.getInstance('ghost')).toBeUndefined();
    expect(await store.getTask('ghost.w1')).toBeUndefined();
    expect(await store.history('ghost')).toEqual([]);
    expect((await store.listInstances({})).map((r) => r.id)).toEqual(['a']);
    // The id is still free to create.
    await store.commit(record('ghost', 1), null);
    expect((await store.getInstance('ghost'))!.rev).toBe(1);
  });
});
