/**
 * Crash safety: a child process (crash-driver.ts) drives instances of a two-step process while
 * this test SIGKILLs it at random moments and starts it again (it runs engine.recover() first).
 * Afterwards: every completion the driver acknowledged is in history exactly once, no instance
 * is stuck (no outbox left, projections match the records), and every instance completes.
 * Run against SQLite (a file) and the MongoDB-wire server.
 */
import { createEngine } from '../../engine/src/index.js';
import type { Task } from '../../engine/src/api.js';
import type { InstanceRecord, Store } from '../../engine/src/store/port.js';
import { spawnTs, type Child } from './child.js';
import { DURABLE, dropStore, type StoreFactory } from './stores.js';

/**
 * Instances per store (ONETHING_CRASH_INSTANCES overrides both): the full 2,000 on both. On the
 * FerretDB test server (~2 ms per operation, one at a time) the MongoDB run takes ~3 minutes on a
 * 2-core machine; CI's budget allows it.
 */
const INSTANCES: Record<string, number> = {
  sqlite: Number(process.env.ONETHING_CRASH_INSTANCES ?? 2000),
  mongo: Number(process.env.ONETHING_CRASH_INSTANCES ?? 2000),
};
const KILLS = 24;
const PARALLEL: Record<string, string> = { sqlite: '8', mongo: '16' };

/** A seeded generator, so a failing run can be repeated (the seed is printed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * No instance is stuck: no outbox is left, and for every instance the task projection (open and
 * completed tasks) agrees with the instance record. Two bulk queries, so it stays cheap.
 */
async function expectConsistent(
  store: Store,
): Promise<{ tasks: Map<string, Task[]>; records: Map<string, InstanceRecord> }> {
  expect(await store.pendingOutboxes(10)).toEqual([]);
  const projected = new Map<string, Task[]>();
  for (const t of await store.findTasks({})) {
    let list = projected.get(t.instanceId);
    if (!list) projected.set(t.instanceId, (list = []));
    list.push(t);
  }
  const records = await store.listInstances({});
  const byInstance = new Map<string, Task[]>();
  const byId = new Map<string, InstanceRecord>();
  for (const record of records) {
    byId.set(record.id, record);
    const tasks = projected.get(record.id) ?? [];
    projected.delete(record.id);
    byInstance.set(record.id, tasks);
    const open = tasks
      .filter((t) => t.state === 'open')
      .map((t) => t.id)
      .sort();
    expect({ id: record.id, open }).toEqual({ id: record.id, open: Object.keys(record.state.tasks).sort() });
    expect(record.outbox).toEqual([]);
  }
  expect([...projected.keys()]).toEqual([]); // no task of an instance that does not exist
  return { tasks: byInstance, records: byId };
}

describe.each(DURABLE)('crash safety on $kind', (factory: StoreFactory) => {
  const instances = INSTANCES[factory.kind]!;
  let store: Store | undefined;
  let child: Child | undefined;
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    if (store) {
      await dropStore(store);
      await store.close();
    }
    factory.cleanup();
  });

  test(`${instances} instances, ${KILLS} SIGKILLs, restarts: nothing acknowledged is lost or doubled`, async () => {
    const seed = Number(process.env.ONETHING_CRASH_SEED ?? Date.now() % 100_000);
    const rnd = random(seed);
    const location = factory.location(`crash-${factory.kind}`);
    const args = [factory.kind, location, String(instances), PARALLEL[factory.kind]!];
    const acked: string[] = [];
    const began = Date.now();
    // Spread the kills over the work: each run is killed after about this many acknowledgements.
    const perRun = Math.ceil((2 * instances) / (KILLS + 6));
    let kills = 0;
    let runs = 0;

    while (kills < KILLS) {
      runs++;
      child = spawnTs('crash-driver.ts', args);
      const roll = rnd();
      if (roll < 0.15) {
        await sleep(50 + rnd() * 400); // while it loads, opens the store or recovers
      } else {
        await child.waitFor((l) => l === 'READY' || l === 'DONE', 60_000);
        const target = child.lines.filter((l) => l.startsWith('ACK ')).length + Math.ceil(rnd() * 2 * perRun);
        await child.waitFor(
          (l) =>
            l === 'DONE' ||
            (l.startsWith('ACK ') && child!.lines.filter((x) => x.startsWith('ACK ')).length >= target),
        );
        await sleep(rnd() * 15); // somewhere in the middle of the commands still in flight
      }
      const done = child.lines.includes('DONE');
      child.process.kill('SIGKILL');
      const exit = await child.exited;
      acked.push(...child.lines.filter((l) => l.startsWith('ACK ')));
      if (done) break;
      if (exit.signal !== 'SIGKILL')
        throw new Error(`driver exited by itself (${exit.code}):\n${child.stderr()}`);
      kills++;
    }

    const killPhase = Date.now() - began;
    // What recover() makes of the last kill: consistent projections, no outbox left.
    store = await factory.open(location);
    while ((await createEngine({ store }).recover()) > 0) {
      // until nothing is pending
    }
    await expectConsistent(store);
    await store.close();
    store = undefined;

    // A last run, not killed, drives every instance to completion.
    child = spawnTs('crash-driver.ts', args);
    await child.waitFor((l) => l === 'DONE', 240_000);
    expect((await child.exited).code).toBe(0);
    acked.push(...child.lines.filter((l) => l.startsWith('ACK ')));

    const lastRun = Date.now() - began;
    store = await factory.open(location);
    const { tasks, records } = await expectConsistent(store);
    expect(records.size).toBe(instances);
    const ackedCount = new Map<string, number>();
    for (const line of acked) {
      const [, id, element] = line.split(' ');
      ackedCount.set(`${id} ${element}`, (ackedCount.get(`${id} ${element}`) ?? 0) + 1);
    }
    for (let i = 0; i < instances; i++) {
      const id = `c${i}`;
      const record = records.get(id)!;
      expect({ id, status: record.status, outbox: record.outbox }).toEqual({
        id,
        status: 'completed',
        outbox: [],
      });
      const history = await store.history(id);
      const completions = history.filter((h) => h.type === 'task.completed').map((h) => h.elementId);
      // Every completion happened exactly once, acknowledged or not; none was acknowledged twice.
      expect({ id, completions }).toEqual({ id, completions: ['accept', 'decide'] });
      expect(new Set(history.map((h) => h.seq)).size).toBe(history.length);
      expect({
        id,
        tasks: tasks
          .get(id)!
          .map((t) => `${t.elementId} ${t.state}`)
          .sort(),
      }).toEqual({
        id,
        tasks: ['accept completed', 'decide completed'],
      });
      expect(history.at(-1)!.type).toBe('instance.completed');
      for (const element of ['accept', 'decide'])
        expect(ackedCount.get(`${id} ${element}`) ?? 0).toBeLessThanOrEqual(1);
    }
    process.stdout.write(
      `[crash ${factory.kind}] seed ${seed}: ${instances} instances, ${kills} kills in ${runs} runs, ` +
        `${acked.length} acknowledged completions; ${(killPhase / 1000).toFixed(1)} s killing, ` +
        `${(lastRun / 1000).toFixed(1)} s to the end of the last run, ${((Date.now() - began) / 1000).toFixed(1)} s in all\n`,
    );
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  }, 600_000);
});
