/**
 * Durable timers with leases, across processes: 1,000 instances wait on a timer that is already
 * due, and two engine processes (timer-node.ts) on the same store run their due jobs at once.
 * - Each timer is claimed by one process only, once, and fires exactly once (one completion of
 *   the timer event per instance; the fired counts the processes report add up to 1,000); both
 *   processes took part.
 * - One process is killed (SIGKILL) while it holds a batch of leased timers it has not fired:
 *   the other claims those again only once the lease has run out, and still each fires once.
 * Run against SQLite (one file) and the MongoDB-wire server.
 */
import { createEngine } from '../../engine/src/index.js';
import { MongoStore } from '../../engine/src/store/mongo/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { SqliteStore } from '../../engine/src/store/sqlite/index.js';
import {
  chain,
  definitions,
  endEvent,
  process as bpmnProcess,
  startEvent,
  timer,
} from '../../engine/src/testing/bpmn.js';
import { spawnTs, type Child } from '../store/child.js';
import { DURABLE, dropStore, type StoreFactory } from '../store/stores.js';

const TIMERS = 1000;
const LEASE_MS = 3000;
/**
 * The kill test's lease: the slow node must still hold its batch when it is killed, 20 slowed
 * saves in; on a loaded machine (FerretDB, other jobs on both cores) that took longer than 3 s.
 */
const KILL_LEASE_MS = 15_000;

const WAIT = definitions(
  bpmnProcess(
    'wait',
    `${startEvent('start')}
    <bpmn:intermediateCatchEvent id="due">${timer('timeDate', '2020-01-01T00:00:00Z')}</bpmn:intermediateCatchEvent>
    ${endEvent('end')}${chain('start', 'due', 'end')}`,
  ),
);

/** The queue's rows (who ran each job, and its state), read straight from the store's database. */
async function queueRows(store: Store): Promise<Map<string, { state: string; owner: string | null }>> {
  const rows =
    store instanceof SqliteStore
      ? (store.db.prepare('SELECT id, state, owner FROM job_queue').all() as {
          id: string;
          state: string;
          owner: string | null;
        }[])
      : (await (store as MongoStore).queue.model.find({}, { _id: 1, state: 1, owner: 1 }).lean()).map(
          (d) => ({
            id: d._id,
            state: d.state,
            owner: d.owner ?? null,
          }),
        );
  return new Map(rows.map((r) => [r.id, { state: r.state, owner: r.owner }]));
}

describe.each(DURABLE)('timers with two engine processes on $kind', (factory: StoreFactory) => {
  const children: Child[] = [];
  const stores: Store[] = [];
  afterAll(async () => {
    for (const c of children) c.process.kill('SIGKILL');
    for (const s of stores) {
      await dropStore(s);
      await s.close();
    }
    factory.cleanup();
  });

  /** A fresh store with TIMERS instances waiting on a due timer; returns the location and the store. */
  async function prepare(name: string): Promise<{ location: string; store: Store; ids: string[] }> {
    const location = factory.location(`timers-${name}-${factory.kind}`);
    const store = await factory.open(location);
    stores.push(store);
    const engine = createEngine({ store });
    await engine.deploy(WAIT);
    const ids: string[] = [];
    for (let i = 0; i < TIMERS; i++) ids.push((await engine.start('wait')).id);
    expect(await store.dueTimers(Date.now(), TIMERS + 1)).toHaveLength(TIMERS);
    return { location, store, ids };
  }

  function node(location: string, owner: string, slowMs?: number, leaseMs = LEASE_MS): Child {
    const args = [factory.kind, location, owner, String(leaseMs), ...(slowMs ? [String(slowMs)] : [])];
    const child = spawnTs('../jobs/timer-node.ts', args);
    children.push(child);
    return child;
  }

  /** Claims the child printed: job id → [claimed at, lease until] per claim. */
  const claims = (child: Child, into = new Map<string, [number, number][]>()) => {
    for (const line of child.lines) {
      if (!line.startsWith('CLAIMED ')) continue;
      const [, id, at, until] = line.split(' ');
      into.set(id!, [...(into.get(id!) ?? []), [Number(at), Number(until)]]);
    }
    return into;
  };

  const doneCount = async (child: Child) =>
    Number((await child.waitFor((l) => l.startsWith('DONE '), 300_000)).slice(5));

  /** Every instance completed, its timer fired exactly once; nothing left in the queue. */
  async function expectFiredOnce(store: Store, ids: string[]): Promise<void> {
    for (const id of ids) {
      const record = (await store.getInstance(id))!;
      const fired = (await store.history(id)).filter(
        (h) => h.elementId === 'due' && h.type === 'element.completed',
      );
      expect({ id, status: record.status, fired: fired.length }).toEqual({
        id,
        status: 'completed',
        fired: 1,
      });
    }
    expect(await store.dueTimers(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    const rows = await queueRows(store);
    expect([...rows.values()].filter((r) => r.state !== 'done' && r.state !== 'finished')).toEqual([]);
    expect(await store.queue.listIncidents()).toEqual([]);
  }

  test(`${TIMERS} timers due at once, two processes: each fires exactly once`, async () => {
    const { location, store, ids } = await prepare('both');
    const a = node(location, 'node-a');
    const b = node(location, 'node-b');
    await Promise.all([a.waitFor((l) => l === 'READY'), b.waitFor((l) => l === 'READY')]);
    a.send('GO');
    b.send('GO');
    const [firedA, firedB] = await Promise.all([doneCount(a), doneCount(b)]);
    expect(firedA + firedB).toBe(TIMERS);
    await expectFiredOnce(store, ids);
    const claimed = claims(b, claims(a));
    expect(claimed.size).toBe(TIMERS);
    expect([...claimed].filter(([, c]) => c.length !== 1)).toEqual([]); // no timer claimed twice
    const owners = [...(await queueRows(store)).values()].map((r) => r.owner);
    const byA = owners.filter((o) => o === 'node-a').length;
    const byB = owners.filter((o) => o === 'node-b').length;
    expect({ byA, byB, sum: byA + byB }).toEqual({ byA: firedA, byB: firedB, sum: TIMERS });
    expect(Math.min(byA, byB)).toBeGreaterThan(0); // both took part
    process.stdout.write(`[timers ${factory.kind}] two nodes: node-a fired ${firedA}, node-b ${firedB}\n`);
  }, 600_000);

  test(`killing a process mid-run: its leased timers are taken over after the lease, still once each`, async () => {
    const { location, store, ids } = await prepare('kill');
    const slow = node(location, 'node-slow', 20, KILL_LEASE_MS);
    const rescuer = node(location, 'node-rescue', undefined, KILL_LEASE_MS);
    await Promise.all([slow.waitFor((l) => l === 'READY'), rescuer.waitFor((l) => l === 'READY')]);
    slow.send('GO');
    await slow.waitFor((l) => l.startsWith('SAVED '), 120_000); // into its first batch of 50
    rescuer.send('GO');
    await slow.waitFor((l) => l === 'SAVED 20', 120_000);
    slow.process.kill('SIGKILL');
    await slow.exited;
    const before = await queueRows(store);
    const held = [...before]
      .filter(([, r]) => r.state === 'ready' && r.owner === 'node-slow')
      .map(([id]) => id);
    expect(held.length).toBeGreaterThan(0); // it died holding leases

    await doneCount(rescuer);
    await expectFiredOnce(store, ids);
    const bySlow = claims(slow);
    const byRescuer = claims(rescuer);
    const after = await queueRows(store);
    const ownedBy = (owner: string) => [...after].filter(([, r]) => r.owner === owner).map(([id]) => id);
    // Every job ends with the node that ran it: the rescuer's claims are exactly its rows.
    expect(ownedBy('node-rescue').sort()).toEqual([...byRescuer.keys()].sort());
    expect(ownedBy('node-slow').length + byRescuer.size).toBe(TIMERS);
    for (const [id, list] of byRescuer) {
      expect({ id, claims: list.length }).toEqual({ id, claims: 1 }); // the rescuer claimed nothing twice
      const dead = bySlow.get(id);
      // A timer the dead node had claimed comes back to the rescuer only after its lease.
      if (dead) expect({ id, afterLease: list[0]![0] >= dead[0]![1] }).toEqual({ id, afterLease: true });
    }
    // What the dead node held was fired by the rescuer once the lease ran out — or, when the dead
    // node had fired it and died before its queue row said so, the replayed projection finished
    // the row (state `finished`, still the dead node's) and nobody claimed it again.
    const unfinished = held.filter(
      (id) =>
        !byRescuer.has(id) && !(after.get(id)!.owner === 'node-slow' && after.get(id)!.state === 'finished'),
    );
    expect(unfinished).toEqual([]);
    const firedBySlow = ownedBy('node-slow').length;
    process.stdout.write(
      `[timers ${factory.kind}] kill: the killed node fired ${firedBySlow} and held ${held.length} leases; ` +
        `the rescuer fired the other ${TIMERS - firedBySlow}, the held ones after their lease\n`,
    );
  }, 600_000);
});
