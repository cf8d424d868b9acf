/**
 * The Store contract: one suite, run unchanged against every adapter (memory, SQLite in a temp
 * file, MongoDB on the test MongoDB-wire server). The mongo run is never skipped: without a
 * server, opening the store throws and these tests fail with the reason.
 */
import type { Task } from '../../engine/src/api.js';
import type { Effect } from '../../engine/src/runtime/state.js';
import { ConflictError, taskCursor, type DeploymentRecord, type Store } from '../../engine/src/store/port.js';
import { created, ended, hist, record, state, T0, task } from './records.js';
import { ALL, dropStore, type StoreFactory } from './stores.js';

/** Variables whose names MongoDB could not take as field names, and values of every JSON kind. */
const AWKWARD_VARS = {
  'a.b': 1,
  $where: 'x',
  'name.with.$dots': { 'inner.key': [1, 'two', null, { $in: true }] },
  中文: '一件事一次办',
  empty: '',
  big: 2 ** 53 - 1,
  neg: -0.5,
  nil: null,
  flag: false,
};

function deployment(id: string, processes: [string, number][], createdAt = T0): DeploymentRecord {
  return {
    id,
    xml: `<definitions id="${id}"/>`,
    processes: processes.map(([pid, version]) => ({ id: pid, version, name: `${pid} v${version}` })),
    createdAt,
    meta: { author: 'test', 'dotted.key': 1 },
  };
}

describe.each(ALL)('Store contract: $kind', (factory: StoreFactory) => {
  let store: Store;
  let location: string;

  beforeEach(async () => {
    location = factory.location(`contract-${factory.kind}-${expect.getState().currentTestName ?? ''}`);
    store = await factory.open(location);
  });
  afterEach(async () => {
    if (!store) return;
    await dropStore(store);
    await store.close();
  });
  afterAll(() => factory.cleanup());

  describe('deployments', () => {
    test('save, get and list in creation order; unknown id is undefined', async () => {
      await store.saveDeployment(deployment('d2', [['q', 1]], T0 + 10));
      await store.saveDeployment(deployment('d1', [['p', 1]], T0));
      expect(await store.getDeployment('d1')).toEqual(deployment('d1', [['p', 1]], T0));
      expect(await store.getDeployment('nope')).toBeUndefined();
      expect((await store.listDeployments()).map((d) => d.id)).toEqual(['d1', 'd2']);
    });

    test('versions are counted per process id, and a taken version is a conflict', async () => {
      expect(await store.latestVersion('p')).toBe(0);
      await store.saveDeployment(
        deployment('d1', [
          ['p', 1],
          ['q', 1],
        ]),
      );
      await store.saveDeployment(deployment('d2', [['p', 2]], T0 + 1));
      await store.saveDeployment(deployment('d3', [['p', 3]], T0 + 2));
      expect(await store.latestVersion('p')).toBe(3);
      expect(await store.latestVersion('q')).toBe(1);
      expect(await store.latestVersion('r')).toBe(0);

      const err = await store.saveDeployment(deployment('d4', [['q', 1]], T0 + 3)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(await store.getDeployment('d4')).toBeUndefined();
      expect((await store.listDeployments()).map((d) => d.id)).toEqual(['d1', 'd2', 'd3']);
      expect(await store.latestVersion('q')).toBe(1);
      // Saving the same deployment again is not a conflict.
      await store.saveDeployment(
        deployment('d1', [
          ['p', 1],
          ['q', 1],
        ]),
      );
    });
  });

  describe('instances', () => {
    test('create and load give back the record, state with awkward variable names included', async () => {
      const r = record('i1', 1, [hist('i1', 1)], {
        state: state('i1', AWKWARD_VARS, { businessKey: 'BK-1' }),
        businessKey: 'BK-1',
        parentInstanceId: 'parent-1',
      });
      await store.createInstance(r);
      expect(await store.getInstance('i1')).toEqual(r);
      expect(await store.getInstance('nope')).toBeUndefined();
    });

    test('creating an existing instance is a conflict', async () => {
      await store.createInstance(record('i1'));
      await expect(store.createInstance(record('i1'))).rejects.toBeInstanceOf(ConflictError);
    });

    test('save is a compare-and-set on rev: stale and missing records are conflicts', async () => {
      await store.createInstance(record('i1', 1));
      const v2 = record('i1', 2, [], { state: state('i1', { n: 2 }), status: 'active' });
      await store.saveInstance(v2, 1);
      expect(await store.getInstance('i1')).toEqual(v2);

      const stale = record('i1', 2, [], { state: state('i1', { n: 'stale' }) });
      const err = await store.saveInstance(stale, 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).code).toBe('conflict');
      expect(await store.getInstance('i1')).toEqual(v2);

      await expect(store.saveInstance(record('ghost', 2), 1)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getInstance('ghost')).toBeUndefined();

      const done = record('i1', 3, [], {
        status: 'completed',
        state: state('i1', { n: 3 }, { status: 'completed', endedAt: T0 + 5 }),
      });
      await store.saveInstance(done, 2);
      expect((await store.getInstance('i1'))?.status).toBe('completed');
    });

    test('listInstances filters by process, status and business key, with id cursor pages', async () => {
      for (let i = 0; i < 7; i++) {
        const id = `inst-${i}`;
        await store.createInstance(
          record(id, 1, [], {
            processId: i % 2 ? 'odd' : 'even',
            status: i === 4 ? 'completed' : 'active',
            ...(i === 3 ? { businessKey: 'BK-3' } : {}),
          }),
        );
      }
      expect((await store.listInstances({ processId: 'even' })).map((r) => r.id)).toEqual([
        'inst-0',
        'inst-2',
        'inst-4',
        'inst-6',
      ]);
      expect((await store.listInstances({ processId: 'even', status: 'active' })).map((r) => r.id)).toEqual([
        'inst-0',
        'inst-2',
        'inst-6',
      ]);
      expect((await store.listInstances({ businessKey: 'BK-3' })).map((r) => r.id)).toEqual(['inst-3']);
      const page1 = await store.listInstances({}, { limit: 3 });
      const page2 = await store.listInstances({}, { limit: 3, after: page1.at(-1)!.id });
      const page3 = await store.listInstances({}, { limit: 3, after: page2.at(-1)!.id });
      expect([...page1, ...page2, ...page3].map((r) => r.id)).toEqual(
        [0, 1, 2, 3, 4, 5, 6].map((i) => `inst-${i}`),
      );
    });
  });

  describe('outbox', () => {
    test('pendingOutboxes lists records with effects left; clearOutbox needs the current rev', async () => {
      await store.createInstance(record('a', 1, [hist('a', 1)]));
      await store.createInstance(record('b', 1, []));
      await store.createInstance(record('c', 1, [hist('c', 1)]));
      expect((await store.pendingOutboxes(10)).map((r) => r.id).sort()).toEqual(['a', 'c']);
      expect(await store.pendingOutboxes(1)).toHaveLength(1);
      const pendingA = (await store.pendingOutboxes(10)).find((r) => r.id === 'a')!;
      expect(pendingA.outbox).toEqual([hist('a', 1)]);

      await store.clearOutbox('a', 0); // stale rev: nothing happens
      expect((await store.getInstance('a'))!.outbox).toHaveLength(1);
      await store.clearOutbox('a', 1);
      expect((await store.getInstance('a'))!.outbox).toEqual([]);
      expect((await store.pendingOutboxes(10)).map((r) => r.id)).toEqual(['c']);
    });

    test('an outbox carried into the next save survives a clear of the older rev', async () => {
      await store.createInstance(record('a', 1, [hist('a', 1)]));
      // The next command carries the unprojected effects forward with its own.
      await store.saveInstance(record('a', 2, [hist('a', 1), hist('a', 2)]), 1);
      await store.clearOutbox('a', 1); // the older drain finishing late must not clear rev 2's outbox
      expect((await store.getInstance('a'))!.outbox).toEqual([hist('a', 1), hist('a', 2)]);
      await store.clearOutbox('a', 2);
      expect(await store.pendingOutboxes(10)).toEqual([]);
    });
  });

  describe('projections', () => {
    const effects = (): Effect[] => [
      created(task('i1.w1', { department: 'police', inputElement: AWKWARD_VARS })),
      {
        type: 'job.created',
        job: {
          id: 'j1',
          instanceId: 'i1',
          elementId: 'call',
          type: 'http',
          variables: AWKWARD_VARS,
          createdAt: T0,
        },
        retries: 3,
      },
      { type: 'timer.scheduled', timerId: 'tm1', dueAt: T0 + 1000, elementId: 'wait' },
      { type: 'message.subscribed', subscriptionId: 's1', messageName: 'paid', correlationKey: 'BK-1' },
      hist('i1', 1, 'instance.started', AWKWARD_VARS),
      hist('i1', 2),
    ];

    async function snapshot() {
      return {
        tasks: await store.findTasks({}),
        jobs: await store.findJobs({}),
        timers: await store.dueTimers(Number.MAX_SAFE_INTEGER, 100),
        subs: await store.findSubscriptions('paid', 'BK-1'),
        history: await store.history('i1'),
      };
    }

    test('applying the same effects twice changes nothing (idempotent)', async () => {
      await store.project('i1', effects());
      const once = await snapshot();
      expect(once.tasks).toHaveLength(1);
      expect(once.tasks[0]!.inputElement).toEqual(AWKWARD_VARS);
      expect(once.jobs).toEqual([
        {
          id: 'j1',
          instanceId: 'i1',
          elementId: 'call',
          type: 'http',
          variables: AWKWARD_VARS,
          createdAt: T0,
          retries: 3,
        },
      ]);
      expect(once.timers).toEqual([{ id: 'tm1', instanceId: 'i1', elementId: 'wait', dueAt: T0 + 1000 }]);
      expect(once.subs).toEqual([
        { id: 's1', instanceId: 'i1', messageName: 'paid', correlationKey: 'BK-1' },
      ]);
      expect(once.history.map((h) => h.seq)).toEqual([1, 2]);
      expect(once.history[0]!.data).toEqual(AWKWARD_VARS);

      await store.project('i1', effects());
      expect(await snapshot()).toEqual(once);
    });

    test('a replayed task creation does not reopen a task that ended since', async () => {
      const t = task('i1.w1');
      await store.project('i1', [created(t)]);
      await store.project('i1', [ended('i1.w1', T0 + 50)]);
      await store.project('i1', [created(t)]); // a stale outbox replayed late
      expect(await store.getTask('i1.w1')).toEqual({ ...t, state: 'completed', completedAt: T0 + 50 });
      // Ending twice keeps the first end.
      await store.project('i1', [{ type: 'task.ended', taskId: 'i1.w1', state: 'cancelled', at: T0 + 99 }]);
      expect((await store.getTask('i1.w1'))!.state).toBe('completed');
    });

    test('creation and end in one batch, and ending, deleting or unsubscribing what is not there', async () => {
      await store.project('i1', [
        created(task('i1.w1')),
        ended('i1.w1'),
        ended('missing'),
        { type: 'job.ended', jobId: 'missing' },
        { type: 'timer.cancelled', timerId: 'missing' },
        { type: 'message.unsubscribed', subscriptionId: 'missing' },
        { type: 'message.published', messageName: 'x', correlationKey: null, variables: {} },
        { type: 'instance.ended', status: 'completed', variables: {} },
      ]);
      expect((await store.getTask('i1.w1'))!.state).toBe('completed');
      expect(await store.getTask('missing')).toBeUndefined();
    });

    test('history comes back in step order whatever order it was written in', async () => {
      await store.project('i1', [hist('i1', 3), hist('i1', 1)]);
      await store.project('i1', [hist('i1', 10), hist('i1', 2), hist('i1', 1)]);
      await store.project('i1', [hist('i1', 700), hist('i1', 255), hist('i1', 256), hist('i1', 3)]); // long instances
      await store.project('other', [hist('other', 1)]);
      expect((await store.history('i1')).map((h) => h.seq)).toEqual([1, 2, 3, 10, 255, 256, 700]);
      expect((await store.history('other')).map((h) => h.id)).toEqual(['other:1']);
      expect(await store.history('none')).toEqual([]);
    });

    test('jobs: find by instance and type, get, re-create with new retries, end', async () => {
      const job = (id: string, instanceId: string, type: string, createdAt: number) => ({
        type: 'job.created' as const,
        job: { id, instanceId, elementId: 'svc', type, variables: { id }, createdAt },
        retries: 3,
      });
      await store.project('i1', [job('j1', 'i1', 'http', T0), job('j2', 'i1', 'mail', T0 + 1)]);
      await store.project('i2', [job('j3', 'i2', 'http', T0 + 2)]);
      expect((await store.findJobs({})).map((j) => j.id).sort()).toEqual(['j1', 'j2', 'j3']);
      expect((await store.findJobs({ instanceId: 'i1' })).map((j) => j.id).sort()).toEqual(['j1', 'j2']);
      expect((await store.findJobs({ type: 'http' })).map((j) => j.id).sort()).toEqual(['j1', 'j3']);
      expect((await store.findJobs({ instanceId: 'i1', type: 'http' })).map((j) => j.id)).toEqual(['j1']);
      await store.project('i1', [{ ...job('j1', 'i1', 'http', T0), retries: 2 }]);
      expect((await store.getJob('j1'))!.retries).toBe(2);
      await store.project('i1', [{ type: 'job.ended', jobId: 'j1' }]);
      expect(await store.getJob('j1')).toBeUndefined();
      expect(await store.getJob('nope')).toBeUndefined();
    });

    test('subscriptions are found by message name and correlation key (null is its own key)', async () => {
      await store.project('i1', [
        { type: 'message.subscribed', subscriptionId: 's1', messageName: 'paid', correlationKey: 'A' },
        { type: 'message.subscribed', subscriptionId: 's2', messageName: 'paid', correlationKey: null },
        { type: 'message.subscribed', subscriptionId: 's3', messageName: 'paid', correlationKey: '' },
      ]);
      await store.project('i2', [
        { type: 'message.subscribed', subscriptionId: 's4', messageName: 'paid', correlationKey: 'A' },
        { type: 'message.subscribed', subscriptionId: 's5', messageName: 'other', correlationKey: 'A' },
      ]);
      const ids = async (name: string, key: string | null) =>
        (await store.findSubscriptions(name, key)).map((s) => s.id).sort();
      expect(await ids('paid', 'A')).toEqual(['s1', 's4']);
      expect(await ids('paid', null)).toEqual(['s2']);
      expect(await ids('paid', '')).toEqual(['s3']);
      expect(await ids('other', 'A')).toEqual(['s5']);
      expect(await ids('paid', 'B')).toEqual([]);
      await store.project('i1', [{ type: 'message.unsubscribed', subscriptionId: 's1' }]);
      expect(await store.findSubscriptions('paid', 'A')).toEqual([
        { id: 's4', instanceId: 'i2', messageName: 'paid', correlationKey: 'A' },
      ]);
    });
  });

  describe('timers', () => {
    test('due timers in due order up to a limit; rescheduling moves one, cancelling removes it', async () => {
      const at = (timerId: string, dueAt: number): Effect => ({
        type: 'timer.scheduled',
        timerId,
        dueAt,
        elementId: 'wait',
      });
      await store.project('i1', [
        at('t3', T0 + 3000),
        at('t1', T0 + 1000),
        at('t2', T0 + 2000),
        at('t9', T0 + 9000),
      ]);
      await store.project('', [at('start-timer:p@1:s', T0 + 500)]); // a process-level timer
      expect((await store.dueTimers(T0 + 2000, 10)).map((t) => t.id)).toEqual([
        'start-timer:p@1:s',
        't1',
        't2',
      ]);
      expect((await store.dueTimers(T0 + 2000, 2)).map((t) => t.id)).toEqual(['start-timer:p@1:s', 't1']);
      expect(await store.dueTimers(T0, 10)).toEqual([]);
      expect((await store.dueTimers(T0 + 500, 10))[0]).toEqual({
        id: 'start-timer:p@1:s',
        instanceId: '',
        elementId: 'wait',
        dueAt: T0 + 500,
      });
      await store.project('i1', [at('t1', T0 + 5000), { type: 'timer.cancelled', timerId: 't2' }]);
      expect((await store.dueTimers(T0 + 5000, 10)).map((t) => t.id)).toEqual([
        'start-timer:p@1:s',
        't3',
        't1',
      ]);
    });
  });

  describe('task inbox queries', () => {
    /** 30 tasks over 3 departments, 2 instances, some ended, some assigned, some with deadlines. */
    async function seed(): Promise<Task[]> {
      const tasks: Task[] = [];
      for (let i = 1; i <= 30; i++) {
        const t = task(`inst${i % 2}.w${i}`, {
          instanceId: `inst${i % 2}`,
          // Every seventh of no department: the inbox of everyone's open tasks has them too.
          ...(i % 7 ? { department: ['police', 'civil', 'tax'][i % 3]! } : {}),
          createdAt: T0 + Math.floor(i / 4) * 1000, // four tasks share each instant
          elementId: i % 5 ? 'review' : 'approve',
          processId: i <= 20 ? 'p' : 'q',
          ...(i % 4 === 0 ? { assignee: 'zhang' } : {}),
          ...(i % 3 === 0 ? { deadline: T0 + i * 86_400_000 } : {}),
        });
        tasks.push(t);
      }
      await store.project('x', tasks.map(created));
      await store.project('x', [ended('inst1.w1'), ended('inst0.w6'), ended('inst1.w15')]);
      return tasks.map((t) =>
        ['inst1.w1', 'inst0.w6', 'inst1.w15'].includes(t.id)
          ? { ...t, state: 'completed', completedAt: T0 + 1 }
          : t,
      );
    }

    const byCursor = (a: Task, b: Task) => (taskCursor(a) < taskCursor(b) ? -1 : 1);

    test('inbox order is createdAt, then id with numbers compared as numbers', async () => {
      await store.project('i', [
        created(task('i.w10', { createdAt: T0 })),
        created(task('i.w9', { createdAt: T0 })),
        created(task('i.w2', { createdAt: T0 + 1 })),
        created(task('i.w100', { createdAt: T0 })),
      ]);
      expect((await store.findTasks({})).map((t) => t.id)).toEqual(['i.w9', 'i.w10', 'i.w100', 'i.w2']);
    });

    test('ids past U+FFFF order and page by code point, as every store orders text', async () => {
      // JavaScript's < puts '\u{1f600}' (a surrogate pair) before '\uffff'; SQLite and MongoDB after.
      const ids = ['i.\uffff', 'i.\u{1f600}', 'i.a', 'i.\ue000'];
      await store.project(
        'i',
        ids.map((id) => created(task(id, { instanceId: 'i', createdAt: T0 }))),
      );
      const inOrder = ['i.a', 'i.\ue000', 'i.\uffff', 'i.\u{1f600}'];
      expect((await store.findTasks({})).map((t) => t.id)).toEqual(inOrder);
      const first = await store.findTasks({}, { limit: 2 });
      const rest = await store.findTasks({}, { after: taskCursor(first.at(-1)!) });
      expect([...first, ...rest].map((t) => t.id)).toEqual(inOrder);

      for (const id of ['inst-\u{1f600}', 'inst-\uffff']) await store.createInstance(record(id));
      expect((await store.listInstances({})).map((r) => r.id)).toEqual(['inst-\uffff', 'inst-\u{1f600}']);
      const page = await store.listInstances({}, { limit: 1 });
      expect((await store.listInstances({}, { after: page[0]!.id })).map((r) => r.id)).toEqual([
        'inst-\u{1f600}',
      ]);
    });

    test('filters: department + state, instance, assignee, element, process, due before', async () => {
      const all = await seed();
      const expectQuery = async (filter: Parameters<Store['findTasks']>[0], pick: (t: Task) => boolean) =>
        expect(await store.findTasks(filter)).toEqual(all.filter(pick).sort(byCursor));
      await expectQuery(
        { department: 'police', state: 'open' },
        (t) => t.department === 'police' && t.state === 'open',
      );
      await expectQuery({ department: 'civil' }, (t) => t.department === 'civil');
      await expectQuery({ state: 'completed' }, (t) => t.state === 'completed');
      await expectQuery({ instanceId: 'inst1' }, (t) => t.instanceId === 'inst1');
      await expectQuery(
        { assignee: 'zhang', state: 'open' },
        (t) => t.assignee === 'zhang' && t.state === 'open',
      );
      await expectQuery(
        { elementId: 'approve', processId: 'q' },
        (t) => t.elementId === 'approve' && t.processId === 'q',
      );
      const cut = T0 + 15 * 86_400_000;
      await expectQuery(
        { dueBefore: cut, state: 'open' },
        (t) => t.deadline !== undefined && t.deadline <= cut && t.state === 'open',
      );
      await expectQuery({ department: 'nobody' }, () => false);
      await expectQuery({ state: 'open' }, (t) => t.state === 'open');
      await expectQuery(
        { state: 'open', processId: 'q', elementId: 'review' },
        (t) => t.state === 'open' && t.processId === 'q' && t.elementId === 'review',
      );
    });

    test('cursor pagination walks every matching task once, in order', async () => {
      const all = await seed();
      const expected = all.filter((t) => t.state === 'open').sort(byCursor);
      const seen: Task[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await store.findTasks(
          { state: 'open' },
          { limit: 4, ...(after !== undefined ? { after } : {}) },
        );
        seen.push(...page);
        if (page.length < 4) break;
        after = taskCursor(page.at(-1)!);
      }
      expect(seen).toEqual(expected);

      // With a filter on other fields too, page by page.
      const reviews = all.filter((t) => t.state === 'open' && t.elementId === 'review').sort(byCursor);
      const paged: Task[] = [];
      for (let cursor: string | undefined, pages = 0; pages < 20; pages++) {
        const page = await store.findTasks(
          { state: 'open', elementId: 'review' },
          { limit: 5, ...(cursor !== undefined ? { after: cursor } : {}) },
        );
        paged.push(...page);
        if (page.length < 5) break;
        cursor = taskCursor(page.at(-1)!);
      }
      expect(paged).toEqual(reviews);

      const police = all.filter((t) => t.department === 'police' && t.state === 'open').sort(byCursor);
      const first = await store.findTasks({ department: 'police', state: 'open' }, { limit: 3 });
      const rest = await store.findTasks(
        { department: 'police', state: 'open' },
        { after: taskCursor(first.at(-1)!) },
      );
      expect([...first, ...rest]).toEqual(police);
    });
  });

  if (factory.durable) {
    test('a second store opened on the same location sees the same data, and conflicts with the first', async () => {
      await store.createInstance(record('i1', 1));
      await store.project('i1', [created(task('i1.w1')), hist('i1', 1)]);
      const second = await factory.open(location);
      try {
        expect(await second.getInstance('i1')).toEqual(record('i1', 1));
        expect(await second.getTask('i1.w1')).toEqual(task('i1.w1'));
        await second.saveInstance(record('i1', 2), 1);
        await expect(store.saveInstance(record('i1', 2), 1)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getInstance('i1'))!.rev).toBe(2);
      } finally {
        await second.close();
      }
    });
  }

  test('commit (when offered) equals save + project + clear, and a conflict writes nothing', async () => {
    if (!store.commit) {
      expect(factory.kind).not.toBe('sqlite'); // SQLite must offer the one-transaction path
      return;
    }
    await store.commit(record('i1', 1, [created(task('i1.w1')), hist('i1', 1)]), null);
    expect((await store.getInstance('i1'))!.outbox).toEqual([]);
    expect(await store.pendingOutboxes(10)).toEqual([]);
    expect((await store.getTask('i1.w1'))!.state).toBe('open');

    await store.commit(record('i1', 2, [ended('i1.w1'), hist('i1', 2)]), 1);
    expect((await store.getTask('i1.w1'))!.state).toBe('completed');

    const err = await store
      .commit(record('i1', 3, [created(task('i1.w9')), hist('i1', 3)]), 1)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(await store.getTask('i1.w9')).toBeUndefined();
    expect((await store.history('i1')).map((h) => h.seq)).toEqual([1, 2]);
    expect((await store.getInstance('i1'))!.rev).toBe(2);

    await expect(store.commit(record('i1', 1), null)).rejects.toBeInstanceOf(ConflictError);
  });

  test('grouped commits (when offered) end as if each were alone: a conflict fails that one only', async () => {
    if (!store.commit) return;
    await store.commit(record('b', 1, [created(task('b.w1', { instanceId: 'b' })), hist('b', 1)]), null);
    const grouped = { grouped: true };
    // One turn, as an engine with several commands under way makes them.
    const outcomes = await Promise.allSettled([
      store.commit(record('a', 1, [created(task('a.w1', { instanceId: 'a' })), hist('a', 1)]), null, grouped),
      store.commit(record('b', 3, [ended('b.w1'), hist('b', 3)]), 2, grouped),
      store.commit(record('c', 1, [created(task('c.w1', { instanceId: 'c' })), hist('c', 1)]), null, grouped),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await store.getTask('a.w1'))!.state).toBe('open');
    expect((await store.getTask('c.w1'))!.state).toBe('open');
    expect((await store.history('c')).map((h) => h.seq)).toEqual([1]);
    // The conflicting commit wrote nothing.
    expect((await store.getTask('b.w1'))!.state).toBe('open');
    expect((await store.history('b')).map((h) => h.seq)).toEqual([1]);
    expect((await store.getInstance('b'))!.rev).toBe(1);
    // And the instances go on as usual.
    await store.commit(record('a', 2, [ended('a.w1'), hist('a', 2)]), 1, grouped);
    expect((await store.getTask('a.w1'))!.state).toBe('completed');
  });

  test('commit (when offered) keeps the follow-ups in the outbox until cleared', async () => {
    if (!store.commit) return; // without commit the engine saves, projects, runs follow-ups, clears
    const published: Effect = {
      type: 'message.published',
      messageName: 'fee.paid',
      correlationKey: 'k1',
      variables: { amount: 1 },
      deliveryId: 'i1@1#2',
    };
    const ended: Effect = {
      type: 'instance.ended',
      status: 'completed',
      variables: {},
      parent: { instanceId: 'p1', waitId: 'p1.w3' },
    };
    await store.commit(record('i1', 1, [created(task('i1.w1')), published, hist('i1', 1), ended]), null);
    expect((await store.getTask('i1.w1'))!.state).toBe('open');
    expect((await store.getInstance('i1'))!.outbox).toEqual([published, ended]);
    expect((await store.pendingOutboxes(10)).map((r) => [r.id, r.outbox])).toEqual([
      ['i1', [published, ended]],
    ]);
    // A command before the follow-ups ran carries them on; the older clear leaves them.
    await store.commit(record('i1', 2, [published, ended, hist('i1', 2)]), 1);
    await store.clearOutbox('i1', 1);
    expect((await store.getInstance('i1'))!.outbox).toEqual([published, ended]);
    await store.clearOutbox('i1', 2);
    expect(await store.pendingOutboxes(10)).toEqual([]);
    expect((await store.history('i1')).map((h) => h.seq)).toEqual([1, 2]);
  });

  test('a delivery is remembered with the save that applies it, and only then', async () => {
    await store.createInstance(record('a', 1, [], { delivery: 'x@3#0' }));
    await store.createInstance(record('b', 1));
    expect(await store.deliveredTo('x@3#0')).toEqual(['a']);
    expect((await store.getInstance('a'))!.delivery).toBeUndefined();

    await expect(store.saveInstance(record('b', 2, [], { delivery: 'x@3#0' }), 7)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await store.deliveredTo('x@3#0')).toEqual(['a']); // a lost race remembers nothing
    await store.saveInstance(record('b', 2, [], { delivery: 'x@3#0' }), 1);
    await store.saveInstance(record('b', 3, [], { delivery: 'y@1#1' }), 2);
    await store.saveInstance(record('b', 4), 3); // later saves keep what was delivered
    expect(await store.deliveredTo('x@3#0')).toEqual(['a', 'b']);
    expect(await store.deliveredTo('y@1#1')).toEqual(['b']);
    expect(await store.deliveredTo('nothing')).toEqual([]);
    expect(await store.hasDelivery('b', 'y@1#1')).toBe(true);
    expect(await store.hasDelivery('a', 'y@1#1')).toBe(false);
    expect(await store.hasDelivery('nobody', 'x@3#0')).toBe(false);
    if (store.commit) {
      await store.commit(record('c', 1, [], { delivery: 'y@1#1' }), null);
      await expect(store.commit(record('c', 2, [], { delivery: 'z' }), 5)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.deliveredTo('y@1#1')).toEqual(['b', 'c']);
      expect(await store.deliveredTo('z')).toEqual([]);
    }
  });
});
