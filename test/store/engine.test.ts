/**
 * The engine, unchanged, on every store: the same process gives the same history on memory,
 * SQLite and MongoDB; on the durable stores, instances waiting on a user task, a timer and a
 * message resume after the store is closed and opened again by a new engine (a restart).
 */
import { createEngine, type Engine, type HistoryEntry } from '../../engine/src/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { fakeClock, MINUTE, path } from '../../engine/src/testing/harness.js';
import { PERMIT } from './processes.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

const VARS = { 'applicant.name': '张三', $flag: true, nested: { 'a.b': [1, { $x: null }] } };

/** What each store's run produced, compared across stores at the end. */
const runs = new Map<
  string,
  { path: string[]; history: Pick<HistoryEntry, 'seq' | 'type' | 'elementId'>[] }
>();

describe.each(ALL)('engine on $kind', (factory: StoreFactory) => {
  const clock = fakeClock();
  let location: string;
  let store: Store;
  let engine: Engine;

  /** Durable stores: close everything and open a new store and engine on the same data. */
  async function restart(): Promise<void> {
    if (!factory.durable) return;
    await store.close();
    store = await factory.open(location);
    engine = createEngine({ store, clock: clock.now });
    expect(await engine.recover()).toBe(0);
  }

  beforeAll(async () => {
    location = factory.location(`engine-${factory.kind}`);
    store = await factory.open(location);
    engine = createEngine({ store, clock: clock.now });
  });
  afterAll(async () => {
    await dropStore(store);
    await store.close();
    factory.cleanup();
  });

  test('an instance waiting on a user task, a timer and a message resumes across restarts', async () => {
    await engine.deploy(PERMIT);
    await restart();
    const started = await engine.start('permit', { businessKey: 'BK-1', variables: VARS });
    const other = await engine.start('permit', { businessKey: 'BK-2' });
    expect(started.openTasks.map((t) => t.elementId)).toEqual(['review']);

    await restart(); // waiting on all three
    const inbox = await engine.tasks({ department: 'police', state: 'open' });
    expect(inbox.map((t) => t.instanceId).sort()).toEqual([started.id, other.id].sort());
    const review = inbox.find((t) => t.instanceId === started.id)!;
    await engine.completeTask(review.id, { variables: { 'review.ok': true }, actor: 'officer-1' });

    await restart(); // waiting on the timer and the message
    expect(await engine.runDueJobs(clock.advance(59 * MINUTE))).toBe(0);
    await restart();
    expect(await engine.runDueJobs(clock.advance(MINUTE))).toBe(2); // both instances' timers

    await restart(); // waiting on the message
    const r = await engine.correlate('fee.paid', { correlationKey: 'BK-1', variables: { 'fee.cny': 120 } });
    expect(r).toEqual({ instanceIds: [started.id], started: false });

    await restart(); // waiting on the approval
    const approve = await engine.tasks({ department: 'civil', state: 'open' });
    expect(approve.map((t) => t.instanceId)).toEqual([started.id]);
    await engine.completeTask(approve[0]!.id, {});

    await restart();
    const done = await engine.instance(started.id);
    expect(done.status).toBe('completed');
    expect(done.variables).toEqual({ ...VARS, 'review.ok': true, 'fee.cny': 120 });
    expect(await engine.tasks({ instanceId: started.id, state: 'open' })).toEqual([]);
    expect(await store.pendingOutboxes(10)).toEqual([]);
    expect(await store.findSubscriptions('fee.paid', 'BK-1')).toEqual([]);
    expect((await engine.instance(other.id)).status).toBe('active');
    expect(await store.findSubscriptions('fee.paid', 'BK-2')).toHaveLength(1);

    runs.set(factory.kind, {
      path: path(done),
      history: done.history.map(({ seq, type, elementId }) => ({
        seq,
        type,
        ...(elementId ? { elementId } : {}),
      })),
    });
  });

  test('completing a task that is already completed is a conflict', async () => {
    const v = await engine.start('permit', { businessKey: 'BK-3' });
    const task = v.openTasks[0]!;
    await engine.completeTask(task.id, {});
    await restart();
    await expect(engine.completeTask(task.id, {})).rejects.toMatchObject({ code: 'conflict' });
  });

  test('deploying again makes a new version; running instances stay on theirs', async () => {
    const before = await engine.start('permit', { businessKey: 'BK-4' });
    const { processes } = await engine.deploy(
      PERMIT.replace('id="approve"', 'id="approve" name="Approve v2"'),
    );
    expect(processes).toEqual([{ id: 'permit', version: 2 }]);
    await restart();
    const after = await engine.start('permit', { businessKey: 'BK-5' });
    expect((await engine.instance(before.id)).version).toBe(1);
    expect(after.version).toBe(2);
    expect(await store.latestVersion('permit')).toBe(2);
  });
});

test('the same process gives the same path and history on every store', () => {
  const [first, ...rest] = ALL.map((f) => runs.get(f.kind));
  expect(first).toBeDefined();
  expect(first!.path).toEqual(expect.arrayContaining(['review', 'cooling', 'paid', 'approve', 'end']));
  for (const run of rest) expect(run).toEqual(first);
});
