/**
 * Records stored before instance-local keys: their waits, tasks and jobs were keyed by public ids
 * (`<instance>.w7`), now by the local part (`w7`). A durable store upgrades such a record where
 * it reads it (withLocalKeys), so an instance stored as before still loads and runs to its end.
 */
import Database from 'better-sqlite3';
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { InstanceState } from '../../engine/src/runtime/state.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { chain, endEvent, model, serviceTask, startEvent } from '../../engine/src/testing/bpmn.js';
import { fakeClock, MINUTE } from '../../engine/src/testing/harness.js';
import { PERMIT } from './processes.js';
import { DURABLE, dropStore, type StoreFactory } from './stores.js';

const LOOKUP = model(
  'lookup',
  `${startEvent('start')}${serviceTask('ask', 'registry.lookup')}${endEvent('end')}${chain('start', 'ask', 'end')}`,
);

/** The state as it was stored before: waits, tasks and jobs keyed by their public ids. */
function withPublicKeys(state: InstanceState): InstanceState {
  const byId = <T extends { id: string }>(record: Record<string, T>) =>
    Object.fromEntries(Object.values(record).map((v) => [v.id, v]));
  return { ...state, waits: byId(state.waits), tasks: byId(state.tasks), jobs: byId(state.jobs) };
}

const keysOf = (state: InstanceState) => [
  ...Object.keys(state.waits),
  ...Object.keys(state.tasks),
  ...Object.keys(state.jobs),
];

/** Writes `state` as the instance's stored state, bypassing the store; gives back what is stored. */
async function storeRaw(
  kind: StoreFactory['kind'],
  store: Store,
  location: string,
  id: string,
  state: InstanceState,
) {
  const json = JSON.stringify(state);
  if (kind === 'mongo') {
    const records = (store as MongoStore).connection.collection('records');
    await records.updateOne({ _id: `i:${id}` as never }, { $set: { state: json } });
    return JSON.parse((await records.findOne({ _id: `i:${id}` as never }))!.state as string) as InstanceState;
  }
  await store.close(); // the store's own connection is closed first: one writer at a time
  const db = new Database(location);
  try {
    db.prepare('UPDATE instances SET state = ? WHERE id = ?').run(json, id);
    return JSON.parse(
      (db.prepare('SELECT state FROM instances WHERE id = ?').get(id) as { state: string }).state,
    ) as InstanceState;
  } finally {
    db.close();
  }
}

describe.each(DURABLE)('a record with public keys, stored as before, on $kind', (factory: StoreFactory) => {
  const clock = fakeClock();
  let location: string;
  let store: Store;
  let engine: Engine;

  beforeAll(async () => {
    location = factory.location(`old-keys-${factory.kind}`);
    store = await factory.open(location);
    engine = createEngine({ store, clock: clock.now });
    await engine.deploy(PERMIT);
    await engine.deploy(LOOKUP);
  });
  afterAll(async () => {
    await dropStore(store);
    await store.close();
    factory.cleanup();
  });

  /** Stores the instance's state with public keys, then opens a new store and engine on the data. */
  async function storeAsBefore(id: string): Promise<void> {
    const record = (await store.getInstance(id))!;
    const stored = await storeRaw(factory.kind, store, location, id, withPublicKeys(record.state));
    expect(keysOf(stored).length).toBeGreaterThan(0);
    for (const key of keysOf(stored)) expect(key.startsWith(`${id}.`)).toBe(true);
    if (factory.kind === 'mongo') await store.close();
    store = await factory.open(location);
    engine = createEngine({ store, clock: clock.now });
    expect(await engine.recover()).toBe(0);
  }

  it('loads with local keys and completes its task, timer, message and last task', async () => {
    const started = await engine.start('permit', { businessKey: 'BK-old' });
    const review = started.openTasks[0]!.id;
    await storeAsBefore(started.id);

    const loaded = (await store.getInstance(started.id))!.state;
    expect(keysOf(loaded)).toEqual(expect.arrayContaining(['w' + review.split('.w')[1]]));
    for (const key of keysOf(loaded)) expect(key).toMatch(/^w\d+$/);
    expect(Object.values(loaded.tasks).map((t) => t.id)).toEqual([review]);

    await engine.completeTask(review);
    await engine.correlate('fee.paid', { correlationKey: 'BK-old' });
    expect(await engine.runDueJobs(clock.advance(61 * MINUTE))).toBe(1);
    const [approve] = await engine.tasks({ instanceId: started.id, state: 'open' });
    expect(approve!.elementId).toBe('approve');
    const done = await engine.completeTask(approve!.id);
    expect(done.status).toBe('completed');
    expect(done.history.filter((h) => h.type === 'task.completed')).toHaveLength(2);
  });

  it('loads with local keys and completes its job', async () => {
    const started = await engine.start('lookup');
    const [job] = await engine.jobs({ instanceId: started.id });
    await storeAsBefore(started.id);

    const loaded = (await store.getInstance(started.id))!.state;
    expect(Object.keys(loaded.jobs)).toEqual([job!.id.slice(started.id.length + 1)]);
    const done = await engine.completeJob(job!.id, { variables: { found: true } });
    expect(done.status).toBe('completed');
  });
});
