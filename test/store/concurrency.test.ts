/**
 * 200 pairs of simultaneous completions of the same task by two engines with their own store
 * connections: exactly one of each pair succeeds, the other gets a conflict (code 'conflict'),
 * and history holds each completion once.
 * - two child processes (SQLite: two processes on one file; MongoDB: two client processes),
 *   sent each task id at the same moment;
 * - two engines in this process with separate connections (memory: one shared store).
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { spawnTs, type Child } from './child.js';
import { TWO_STEP } from './processes.js';
import { ALL, DURABLE, dropStore, type StoreFactory } from './stores.js';

const PAIRS = 200;

type Outcome = { taskId: string; outcome: 'ok' | 'conflict' | 'error'; message?: string };

async function seed(engine: Engine): Promise<string[]> {
  await engine.deploy(TWO_STEP);
  const ids: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const v = await engine.start('two-step', { businessKey: `race-${i}` });
    ids.push(v.openTasks[0]!.id);
  }
  return ids;
}

/** Exactly one winner per pair, the loser a conflict; one completion in history; the next task open once. */
async function check(
  store: Store,
  taskIds: string[],
  pairs: [Outcome, Outcome][],
): Promise<Record<string, number>> {
  const messages: Record<string, number> = {};
  for (const [a, b] of pairs) {
    const outcomes = [a.outcome, b.outcome].sort();
    if (outcomes.join() !== 'conflict,ok') throw new Error(`pair ${a.taskId}: ${JSON.stringify([a, b])}`);
    const loser = a.outcome === 'conflict' ? a : b;
    const kind = /already completed/.test(loser.message ?? '') ? 'seen completed' : 'lost the race';
    messages[kind] = (messages[kind] ?? 0) + 1;
  }
  for (const taskId of taskIds) {
    const task = (await store.getTask(taskId))!;
    expect(task.state).toBe('completed');
    const history = await store.history(task.instanceId);
    expect(history.filter((h) => h.type === 'task.completed')).toHaveLength(1);
    expect(new Set(history.map((h) => h.id)).size).toBe(history.length);
    expect(new Set(history.map((h) => h.seq)).size).toBe(history.length);
    const open = await store.findTasks({ instanceId: task.instanceId, state: 'open' });
    expect(open.map((t) => t.elementId)).toEqual(['decide']);
    const record = (await store.getInstance(task.instanceId))!;
    expect(Object.values(record.state.tasks).map((t) => t.elementId)).toEqual(['decide']);
    expect(record.outbox).toEqual([]);
  }
  return messages;
}

describe.each(DURABLE)('two child processes on $kind', (factory: StoreFactory) => {
  let store: Store;
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) c.process.kill('SIGKILL');
    if (store) {
      await dropStore(store);
      await store.close();
    }
    factory.cleanup();
  });

  test(`${PAIRS} pairs of simultaneous completions: one wins, one conflicts, history once`, async () => {
    const location = factory.location(`race-${factory.kind}`);
    store = await factory.open(location);
    const taskIds = await seed(createEngine({ store }));

    for (const name of ['A', 'B']) children.push(spawnTs('race-worker.ts', [factory.kind, location, name]));
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'READY')));

    const pairs: [Outcome, Outcome][] = [];
    for (const taskId of taskIds) {
      const isResult = (l: string) => l.startsWith('{') && (JSON.parse(l) as Outcome).taskId === taskId;
      for (const c of children) c.send(taskId);
      const [a, b] = await Promise.all(children.map((c) => c.waitFor(isResult)));
      pairs.push([JSON.parse(a!) as Outcome, JSON.parse(b!) as Outcome]);
    }
    for (const c of children) c.process.stdin!.end();
    expect((await Promise.all(children.map((c) => c.exited))).map((e) => e.code)).toEqual([0, 0]);

    const kinds = await check(store, taskIds, pairs);
    process.stdout.write(`[race ${factory.kind} processes] losers: ${JSON.stringify(kinds)}\n`);
  }, 180_000);
});

describe.each(ALL)('two engines in one process on $kind', (factory: StoreFactory) => {
  const stores: Store[] = [];
  afterAll(async () => {
    await dropStore(stores[0]!);
    for (const s of stores) await s.close();
    factory.cleanup();
  });

  test(`${PAIRS} pairs of simultaneous completions over separate connections`, async () => {
    const location = factory.location(`race-inproc-${factory.kind}`);
    stores.push(await factory.open(location));
    // Memory has no second connection: both engines share the one store.
    stores.push(factory.durable ? await factory.open(location) : stores[0]!);
    const [a, b] = stores.map((store) => createEngine({ store }));
    const taskIds = await seed(a!);

    const attempt = (engine: Engine, taskId: string): Promise<Outcome> =>
      engine.completeTask(taskId).then(
        (): Outcome => ({ taskId, outcome: 'ok' }),
        (err: { code?: string; message?: string }): Outcome => ({
          taskId,
          outcome: err.code === 'conflict' ? 'conflict' : 'error',
          message: String(err.message),
        }),
      );
    const pairs: [Outcome, Outcome][] = [];
    for (const taskId of taskIds) {
      pairs.push((await Promise.all([attempt(a!, taskId), attempt(b!, taskId)])) as [Outcome, Outcome]);
    }
    const kinds = await check(stores[0]!, taskIds, pairs);
    process.stdout.write(`[race ${factory.kind} in-process] losers: ${JSON.stringify(kinds)}\n`);
  }, 120_000);
});
