/**
 * Crash safety: a child process (crash-driver.ts) drives instances of a parent process that calls
 * a child and waits for the child's message, while this test SIGKILLs it at random moments and
 * starts it again (it runs engine.recover() first). Every step therefore has follow-ups (start
 * the child, deliver its message, tell the parent it ended) that a kill can interrupt.
 * Afterwards: every completion the driver acknowledged is in history exactly once, no instance
 * is stuck (no outbox left, projections match the records, no parent waits on a child that has
 * ended), and every instance completes. Run against SQLite (a file) and the MongoDB-wire server.
 */
import { createEngine } from '../../engine/src/index.js';
import type { Task } from '../../engine/src/api.js';
import type { InstanceRecord, Store } from '../../engine/src/store/port.js';
import { spawnTs, type Child } from './child.js';
import { CALL_AND_MESSAGE_STEPS } from './processes.js';
import { DURABLE, dropStore, type StoreFactory } from './stores.js';

/**
 * Instances per store (ONETHING_CRASH_INSTANCES overrides both): the full 2,000 on both. Each
 * instance is three task completions and four follow-ups (child start, message, child end); on
 * the FerretDB test server (~2 ms per operation, one at a time) the MongoDB run took 14.5 minutes
 * on a shared 2-core machine (SQLite: 2.4 minutes); the timeouts below allow for that.
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
    expect({ id: record.id, open }).toEqual({
      id: record.id,
      open: Object.values(record.state.tasks)
        .map((t) => t.id)
        .sort(),
    });
    expect(record.outbox).toEqual([]);
  }
  expect([...projected.keys()]).toEqual([]); // no task of an instance that does not exist
  expectNoneStuck(byId);
  return { tasks: byInstance, records: byId };
}

/**
 * No parent waits for what has already happened: a called child that has ended has no call wait
 * left in its parent (its end reached it), and a child that completed has no message wait left
 * in its parent (its message reached it). These are the follow-ups a kill can interrupt.
 */
function expectNoneStuck(records: Map<string, InstanceRecord>): void {
  for (const child of records.values()) {
    if (!child.parentInstanceId || child.status === 'active') continue;
    const parent = records.get(child.parentInstanceId)!;
    const waiting = Object.values(parent.state.waits)
      .filter((w) => w.kind === 'call' || (child.status === 'completed' && w.kind === 'message'))
      .map((w) => w.kind);
    expect({ child: child.id, parentWaitsOn: waiting }).toEqual({ child: child.id, parentWaitsOn: [] });
  }
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
    const parallel = Number(PARALLEL[factory.kind]!);
    // Completions left, as the last driver counted them at start-up (READY <left>).
    let left = CALL_AND_MESSAGE_STEPS * instances;
    let kills = 0;
    let runs = 0;

    while (kills < KILLS) {
      runs++;
      child = spawnTs('crash-driver.ts', args);
      const killsLeft = KILLS - kills;
      if (rnd() < 0.15 || left < 4 * parallel) {
        // While it loads, opens the store or recovers. Little work left: before it can start
        // any (loading alone takes longer), so the kill still comes before the work runs out.
        await sleep(left < 4 * parallel ? rnd() * 50 : 50 + rnd() * 400);
      } else {
        const ready = await child.waitFor((l) => l.startsWith('READY ') || l === 'DONE', 120_000);
        if (ready.startsWith('READY ')) left = Number(ready.slice('READY '.length));
        // Kill after a random share of what is left: at most 2/(kills left + 3) of it, so however
        // the draws fall, work remains for every kill still to come (the worst case leaves
        // 2·3/(KILLS+2)(KILLS+3) of the work, ~50 completions of 6,000, for the last kill).
        const target = 1 + Math.floor((rnd() * 2 * left) / (killsLeft + 3));
        const acks = () => child!.lines.filter((x) => x.startsWith('ACK ')).length;
        await child.waitFor((l) => l === 'DONE' || (l.startsWith('ACK ') && acks() >= target), 300_000);
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
    await child.waitFor((l) => l === 'DONE', 900_000);
    expect((await child.exited).code).toBe(0);
    acked.push(...child.lines.filter((l) => l.startsWith('ACK ')));

    const lastRun = Date.now() - began;
    store = await factory.open(location);
    const { tasks, records } = await expectConsistent(store);
    expect(records.size).toBe(2 * instances); // each parent and its called child
    const ackedCount = new Map<string, number>();
    for (const line of acked) {
      const [, id, element] = line.split(' ');
      ackedCount.set(`${id} ${element}`, (ackedCount.get(`${id} ${element}`) ?? 0) + 1);
    }
    const childOf = new Map<string, InstanceRecord>();
    for (const r of records.values()) if (r.parentInstanceId) childOf.set(r.parentInstanceId, r);
    const completionsOf = async (id: string) =>
      (await store!.history(id)).filter((h) => h.type === 'task.completed').map((h) => h.elementId);
    for (let i = 0; i < instances; i++) {
      const id = `c${i}`;
      const record = records.get(id)!;
      const called = childOf.get(id)!;
      expect({ id, status: record.status, child: called?.status }).toEqual({
        id,
        status: 'completed',
        child: 'completed',
      });
      const history = await store.history(id);
      // Every completion happened exactly once, acknowledged or not; none was acknowledged twice.
      expect({ id, completions: await completionsOf(id) }).toEqual({ id, completions: ['accept', 'decide'] });
      expect({ id, completions: await completionsOf(called.id) }).toEqual({ id, completions: ['check'] });
      // The child's message was caught once.
      const caught = history.filter((h) => h.elementId === 'reviewed' && h.type === 'element.completed');
      expect({ id, caught: caught.length }).toEqual({ id, caught: 1 });
      expect(new Set(history.map((h) => h.seq)).size).toBe(history.length);
      const taskStates = (instanceId: string) =>
        tasks
          .get(instanceId)!
          .map((t) => `${t.elementId} ${t.state}`)
          .sort();
      expect({ id, tasks: taskStates(id), childTasks: taskStates(called.id) }).toEqual({
        id,
        tasks: ['accept completed', 'decide completed'],
        childTasks: ['check completed'],
      });
      expect(history.at(-1)!.type).toBe('instance.completed');
      for (const element of ['accept', 'check', 'decide'])
        expect(ackedCount.get(`${id} ${element}`) ?? 0).toBeLessThanOrEqual(1);
    }
    process.stdout.write(
      `[crash ${factory.kind}] seed ${seed}: ${instances} instances, ${kills} kills in ${runs} runs, ` +
        `${acked.length} acknowledged completions; ${(killPhase / 1000).toFixed(1)} s killing, ` +
        `${(lastRun / 1000).toFixed(1)} s to the end of the last run, ${((Date.now() - began) / 1000).toFixed(1)} s in all\n`,
    );
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  }, 1_800_000);
});
