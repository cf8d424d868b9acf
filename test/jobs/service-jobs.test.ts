/**
 * Service-task jobs through the store's job queue, on every store: a failing handler runs again
 * after the backoff delay (10 s, 20 s …), and once the task's gov:retries attempts are used up
 * the instance gets an incident naming the task and the queue lists the incident; retrying the
 * instance's incident runs a fresh job and closes the queue's incident with a comment.
 */
import { createEngine, type Engine } from '../../engine/src/index.js';
import type { Store } from '../../engine/src/store/port.js';
import { chain, endEvent, model, startEvent } from '../../engine/src/testing/bpmn.js';
import { fakeClock, SECOND } from '../../engine/src/testing/harness.js';
import { ALL, dropStore, type StoreFactory } from '../store/stores.js';

const SVC = (retries: number) =>
  model(
    'svc',
    `${startEvent('start')}
    <bpmn:serviceTask id="notify" gov:type="sms" gov:retries="${retries}"/>
    ${endEvent('end')}${chain('start', 'notify', 'end')}`,
  );

describe.each(ALL)('service-task jobs on $kind', (factory: StoreFactory) => {
  let store: Store;
  const clock = fakeClock();
  beforeEach(async () => {
    store = await factory.open(factory.location(`service-jobs-${factory.kind}`));
  });
  afterEach(async () => {
    await dropStore(store);
    await store.close();
  });
  afterAll(() => factory.cleanup());

  /** An engine whose sms handler fails `failures` times, recording when each attempt ran. */
  function engineWith(failures: number): { engine: Engine; attempts: number[] } {
    const attempts: number[] = [];
    const engine = createEngine({
      store,
      clock: clock.now,
      services: {
        sms: () => {
          attempts.push(clock.now());
          if (attempts.length <= failures) throw new Error(`gateway down (${attempts.length})`);
          return { sent: true };
        },
      },
    });
    return { engine, attempts };
  }

  test('a handler that fails twice runs again after 10 s and 20 s, then the task completes once', async () => {
    const { engine, attempts } = engineWith(2);
    await engine.deploy(SVC(3));
    const t0 = clock.now();
    const v = await engine.start('svc');
    expect(await engine.runDueJobs(t0)).toBe(1);
    expect(await engine.runDueJobs(clock.advance(9 * SECOND))).toBe(0); // still backing off
    expect(await engine.runDueJobs(clock.advance(1 * SECOND))).toBe(1);
    expect(await engine.runDueJobs(clock.advance(19 * SECOND))).toBe(0);
    expect(await engine.runDueJobs(clock.advance(1 * SECOND))).toBe(1);
    expect(attempts.map((t) => (t - t0) / SECOND)).toEqual([0, 10, 30]);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(after.variables).toMatchObject({ sent: true });
    expect(await engine.runDueJobs(clock.advance(3600 * SECOND))).toBe(0);
    expect(attempts).toHaveLength(3);
    expect(await store.queue.listIncidents()).toEqual([]);
  });

  test('a handler that always fails: an incident after gov:retries attempts, on the instance and in the queue', async () => {
    const { engine, attempts } = engineWith(Infinity);
    await engine.deploy(SVC(2));
    const v = await engine.start('svc');
    await engine.runDueJobs(clock.now());
    await engine.runDueJobs(clock.advance(10 * SECOND));
    expect(attempts).toHaveLength(2);
    const after = await engine.instance(v.id);
    expect(after.status).toBe('incident');
    expect(after.incident).toMatchObject({ elementId: 'notify' });
    expect(after.incident!.message).toMatch(/gateway down \(2\)/);
    const incidents = await store.queue.listIncidents({ instanceId: v.id, open: true });
    expect(incidents.map((i) => [i.elementId, i.message])).toEqual([['notify', 'gateway down (2)']]);
    expect(await engine.runDueJobs(clock.advance(3600 * SECOND))).toBe(0); // given up: not run again
    expect(attempts).toHaveLength(2);

    // Retried on the instance: a fresh job runs, and the queue's incident is closed with a comment.
    await engine.resolveIncident(v.id);
    expect(await store.queue.listIncidents({ instanceId: v.id, open: true })).toEqual([]);
    const [closed] = await store.queue.listIncidents({ instanceId: v.id });
    expect(closed).toMatchObject({ comment: 'retried on the instance', resolvedAt: clock.now() });
    expect(await engine.runDueJobs(clock.now())).toBe(1);
    expect(attempts).toHaveLength(3);
  });
});
