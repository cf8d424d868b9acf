/**
 * Incidents on every store: a job that failed into an incident leaves the jobs projection (and
 * is never run or completed again), several incidents of one instance survive a restart and are
 * retried one by one with fresh jobs, and a record saved with the older single `incident` field
 * (its failed job still open) loads and resolves.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { InstanceState } from '../../engine/src/runtime/state.js';
import type { Store } from '../../engine/src/store/port.js';
import { chain, endEvent, model, startEvent, userTask } from '../../engine/src/testing/bpmn.js';
import { fakeClock, HOUR } from '../../engine/src/testing/harness.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

const PARALLEL = model(
  'par',
  `${startEvent('s')}<bpmn:parallelGateway id="fork"/>
   <bpmn:serviceTask id="askTax" gov:type="dept" gov:retries="1"/>
   <bpmn:serviceTask id="askPolice" gov:type="dept" gov:retries="1"/>
   <bpmn:parallelGateway id="join"/>${userTask('decide')}${endEvent('e')}
   ${chain('s', 'fork')}${chain('fork', 'askTax', 'join')}${chain('fork', 'askPolice', 'join')}
   ${chain('join', 'decide', 'e')}`,
);

const LOOKUP = model(
  'lookup',
  `${startEvent('s')}<bpmn:serviceTask id="ask" gov:type="manual"/>${userTask('check')}${endEvent('e')}
   ${chain('s', 'ask', 'check', 'e')}`,
);

describe.each(ALL)('incidents on $kind', (factory: StoreFactory) => {
  const clock = fakeClock();
  let location: string;
  let store: Store;
  let engine: Engine;
  let up = false;
  const calls: string[] = [];

  const open = (s: Store) =>
    createEngine({
      store: s,
      clock: clock.now,
      services: {
        dept: (job) => {
          calls.push(job.id);
          if (!up) throw new Error(`${job.elementId}: department system down`);
          return { [job.elementId]: 'ok' };
        },
      },
    });

  /** Durable stores: a new store and engine on the same data. */
  async function restart(): Promise<void> {
    if (!factory.durable) return;
    await store.close();
    store = await factory.open(location);
    engine = open(store);
  }

  beforeAll(async () => {
    location = factory.location(`incidents-${factory.kind}`);
    store = await factory.open(location);
    engine = open(store);
    await engine.deploy(PARALLEL);
    await engine.deploy(LOOKUP);
  });
  afterAll(async () => {
    await dropStore(store);
    await store.close();
    factory.cleanup();
  });

  test('two failed calls: two incidents, their jobs gone from the projection, retried one at a time', async () => {
    up = false;
    const v = await engine.start('par', {});
    const before = await engine.jobs({ instanceId: v.id });
    expect(before).toHaveLength(2);
    await engine.runDueJobs(clock.advance(HOUR));
    expect(calls.filter((id) => before.some((j) => j.id === id))).toHaveLength(2);

    await restart();
    const failed = await engine.instance(v.id);
    expect(failed.status).toBe('incident');
    expect(failed.incidents.map((i) => [i.elementId, i.jobId]).sort()).toEqual(
      before.map((j) => [j.elementId, j.id]).sort(),
    );
    expect(await store.findJobs({ instanceId: v.id })).toEqual([]);
    for (const job of before) {
      expect(await store.getJob(job.id)).toBeUndefined();
      await expect(engine.completeJob(job.id, {})).rejects.toMatchObject({ code: 'notFound' });
    }
    expect((await store.listInstances({ status: 'incident' })).map((r) => r.id)).toContain(v.id);

    up = true;
    const tax = failed.incidents.find((i) => i.elementId === 'askTax')!;
    const afterTax = await engine.resolveIncident(v.id, { incidentId: tax.id });
    expect(afterTax.status).toBe('incident');
    expect(afterTax.incidents.map((i) => i.elementId)).toEqual(['askPolice']);
    const fresh = await store.findJobs({ instanceId: v.id });
    expect(fresh.map((j) => j.elementId)).toEqual(['askTax']);
    expect(before.map((j) => j.id)).not.toContain(fresh[0]!.id);

    await restart();
    await engine.runDueJobs(clock.advance(HOUR));
    expect(calls).toContain(fresh[0]!.id);
    expect(calls.filter((id) => before.some((j) => j.id === id))).toHaveLength(2); // never run again
    const between = await engine.instance(v.id);
    expect(between.variables).toEqual({ askTax: 'ok' });
    expect(between.status).toBe('incident');

    await engine.resolveIncident(v.id, { incidentId: afterTax.incidents[0]!.id });
    await engine.runDueJobs(clock.advance(HOUR));
    const done = await engine.instance(v.id);
    expect(done.status).toBe('active');
    expect(done.incidents).toEqual([]);
    expect(done.variables).toEqual({ askTax: 'ok', askPolice: 'ok' });
    expect(done.openTasks.map((t) => t.elementId)).toEqual(['decide']);
    expect(await store.findJobs({ instanceId: v.id })).toEqual([]);
  });

  test('a record saved with the single incident field, its failed job still open, loads and resolves', async () => {
    const v = await engine.start('lookup', {});
    const [oldJob] = await engine.jobs({ instanceId: v.id });
    const record = (await store.getInstance(v.id))!;
    // What older code saved after failJob: the token parked, one `incident`, the job left open.
    const token = Object.values(record.state.tokens).find((t) => t.rest === 'wait')!;
    const legacy = {
      ...record.state,
      status: 'incident',
      tokens: { ...record.state.tokens, [token.id]: { ...token, rest: 'incident' } },
      incident: {
        elementId: 'ask',
        elementType: 'serviceTask',
        code: 'job.failed',
        message: 'ask: registry down',
        at: clock.now(),
        token: token.id,
        phase: 'enter',
      },
    } as InstanceState;
    await store.saveInstance(
      { ...record, status: 'incident', state: legacy, rev: record.rev + 1, updatedAt: clock.now() },
      record.rev,
    );

    await restart();
    const loaded = await engine.instance(v.id);
    expect(loaded.status).toBe('incident');
    expect(loaded.incidents).toEqual([
      {
        id: expect.any(String),
        elementId: 'ask',
        elementType: 'serviceTask',
        code: 'job.failed',
        message: 'ask: registry down',
        at: clock.now(),
      },
    ]);
    expect(loaded.incident).toEqual(loaded.incidents[0]);

    const resolved = await engine.resolveIncident(v.id, { incidentId: loaded.incidents[0]!.id });
    expect(resolved.status).toBe('active');
    expect(resolved.incidents).toEqual([]);
    expect(await store.getJob(oldJob!.id)).toBeUndefined();
    const jobs = await engine.jobs({ instanceId: v.id });
    expect(jobs.map((j) => j.elementId)).toEqual(['ask']);
    expect(jobs[0]!.id).not.toBe(oldJob!.id);
    const saved = (await store.getInstance(v.id))!.state;
    expect('incident' in saved).toBe(false);

    await engine.completeJob(jobs[0]!.id, {});
    expect((await engine.instance(v.id)).openTasks.map((t) => t.elementId)).toEqual(['check']);
  });
});
