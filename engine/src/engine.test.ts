import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { CommandError, createEngine, MemoryStore, ValidationError } from './index.js';
import { SqliteStore } from './store/sqlite/index.js';
import {
  chain,
  definitions,
  endEvent,
  message,
  model,
  process,
  serviceTask,
  startEvent,
  timer,
  userTask,
} from './testing/bpmn.js';
import { deployed, HOUR, path, T0 } from './testing/harness.js';

describe('engine API', () => {
  it('deploy returns the deployment id and each executable process with its version', async () => {
    const engine = createEngine({ clock: () => T0 });
    const res = await engine.deploy(
      definitions(
        process('a', `${startEvent('s1')}${endEvent('e1')}${chain('s1', 'e1')}`) +
          process('b', `${startEvent('s2')}${endEvent('e2')}${chain('s2', 'e2')}`),
      ),
    );
    expect(typeof res.id).toBe('string');
    expect(res.processes.map((p) => [p.id, p.version]).sort()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('deploy of an invalid model throws ValidationError with the problems', async () => {
    const engine = createEngine({ clock: () => T0 });
    const bad = model(
      'p',
      `
      ${startEvent('s')}<bpmn:complexGateway id="cg"/>${endEvent('e')}
      ${chain('s', 'cg', 'e')}`,
    );
    const err = await engine.deploy(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    const problems = (err as ValidationError).problems;
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'cg' })]));
    await expect(engine.start('p', {})).rejects.toThrow();
  });

  it("a start with the caller's instance id, retried, takes up the instance it started", async () => {
    const engine = createEngine({ clock: () => T0 });
    await engine.deploy(
      definitions(
        process('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`) +
          process('q', `${startEvent('s2')}${endEvent('e2')}${chain('s2', 'e2')}`),
      ),
    );
    const first = await engine.start('p', { instanceId: 'case-1', businessKey: '1' });
    const again = await engine.start('p', { instanceId: 'case-1', businessKey: '1' });
    expect(first.id).toBe('case-1');
    expect(again.id).toBe('case-1');
    expect(await engine.tasks({ instanceId: 'case-1' })).toHaveLength(1); // one instance, one task
    // Concurrent starts with one id: one instance, both answered with it.
    const both = await Promise.all([
      engine.start('p', { instanceId: 'case-2' }),
      engine.start('p', { instanceId: 'case-2' }),
    ]);
    expect(both.map((v) => v.id)).toEqual(['case-2', 'case-2']);
    expect(await engine.tasks({ instanceId: 'case-2' })).toHaveLength(1);
    // The id names another process's instance: refused, not confused with it.
    await expect(engine.start('q', { instanceId: 'case-1' })).rejects.toThrow(/already exists for process p/);
  });

  it('instance() and cancel() of an unknown id are rejected', async () => {
    const engine = createEngine({ clock: () => T0 });
    await expect(engine.instance('nope')).rejects.toThrow();
    await expect(engine.cancel('nope')).rejects.toThrow();
  });

  describe('cancel()', () => {
    const xml = definitions(
      process(
        'p',
        `
        ${startEvent('start')}
        <bpmn:parallelGateway id="fork"/>
        ${userTask('review')}
        <bpmn:boundaryEvent id="overdue" attachedToRef="review">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
        ${serviceTask('lookup', 'registry')}
        <bpmn:intermediateCatchEvent id="waitPaid"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
        ${endEvent('e1')}${endEvent('e2')}${endEvent('e3')}${endEvent('e4')}
        ${chain('start', 'fork')}
        ${chain('fork', 'review', 'e1')}
        ${chain('fork', 'lookup', 'e2')}
        ${chain('fork', 'waitPaid', 'e3')}
        ${chain('overdue', 'e4')}`,
      ),
      message('M', 'paid'),
    );

    it('terminates the instance: tasks cancelled, timers, jobs and subscriptions gone', async () => {
      const h = await deployed(xml);
      const v = await h.engine.start('p', { businessKey: 'B1' });
      expect(v.openTasks).toHaveLength(1);
      expect(await h.engine.jobs({ instanceId: v.id })).toHaveLength(1);
      h.clock.advance(10 * 60 * 1000);

      const cancelled = await h.engine.cancel(v.id);
      expect(cancelled.status).toBe('terminated');
      expect(cancelled.openTasks).toEqual([]);
      expect(cancelled.endedAt).toBe(T0 + 10 * 60 * 1000);
      expect((await h.engine.tasks({ instanceId: v.id }))[0]!.state).toBe('cancelled');
      expect(await h.engine.jobs({ instanceId: v.id })).toEqual([]);
      expect(await h.tick(2 * HOUR)).toBe(0);
      expect((await h.engine.correlate('paid', { correlationKey: 'B1' })).instanceIds).toEqual([]);
      await expect(h.engine.completeTask(v.openTasks[0]!.id, {})).rejects.toThrow();
      const view = await h.engine.instance(v.id);
      expect(view.status).toBe('terminated');
      expect(path(view)).toEqual(['start', 'fork']);
    });

    it('a finished instance cannot be cancelled (status stays completed)', async () => {
      const { engine } = await deployed(model('q', `${startEvent('s')}${endEvent('e')}${chain('s', 'e')}`));
      const v = await engine.start('q', {});
      expect(v.status).toBe('completed');
      await engine.cancel(v.id).catch(() => undefined);
      expect((await engine.instance(v.id)).status).toBe('completed');
    });
  });

  it('an incident in one instance leaves the engine and other instances working', async () => {
    const h = await deployed(
      model(
        'p',
        `
      ${startEvent('s')}
      <bpmn:businessRuleTask id="calc" gov:expression="= count(items)" gov:resultVariable="n"/>
      <bpmn:exclusiveGateway id="gw" default="gw_small"/>
      ${userTask('big')}${endEvent('e')}
      ${chain('s', 'calc', 'gw')}
      <bpmn:sequenceFlow id="gw_big" sourceRef="gw" targetRef="big"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">= n &gt; 2</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="gw_small" sourceRef="gw" targetRef="e"/>
      ${chain('big', 'e')}`,
      ),
    );
    const broken = await h.engine.start('p', { variables: {} }); // count(null) is null; null > 2 is not a boolean
    expect(broken.status).toBe('incident');
    expect(['calc', 'gw', 'gw_big']).toContain(broken.incident!.elementId);
    expect(broken.incident!.at).toBe(T0);
    const fine = await h.engine.start('p', { variables: { items: [1, 2, 3] } });
    expect(fine.status).toBe('active');
    expect(fine.openTasks.map((t) => t.elementId)).toEqual(['big']);
  });

  it('views are snapshots: mutating what the engine returned or was given changes nothing inside', async () => {
    const { engine } = await deployed(
      model('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`),
    );
    const input = { applicant: { name: 'Li' }, list: [1, 2] };
    const v = await engine.start('p', { variables: input });
    input.applicant.name = 'changed by caller';
    input.list.push(3);
    (v.variables['applicant'] as { name: string }).name = 'changed via view';
    v.openTasks[0]!.state = 'completed';
    const [task] = await engine.tasks({ instanceId: v.id });
    task!.elementId = 'tampered';
    const again = await engine.instance(v.id);
    expect(again.variables).toEqual({ applicant: { name: 'Li' }, list: [1, 2] });
    expect(again.openTasks[0]!.state).toBe('open');
    expect((await engine.tasks({ instanceId: v.id }))[0]!.elementId).toBe('t');

    const completeVars = { result: { ok: true } };
    await engine.completeTask(again.openTasks[0]!.id, { variables: completeVars });
    completeVars.result.ok = false;
    expect((await engine.instance(v.id)).variables['result']).toEqual({ ok: true });
  });

  it('tasks of a terminated or incident instance cannot be completed', async () => {
    const { engine } = await deployed(
      model('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`),
    );
    const v = await engine.start('p', {});
    await engine.cancel(v.id);
    await expect(engine.completeTask(v.openTasks[0]!.id, {})).rejects.toThrow();
    expect((await engine.instance(v.id)).status).toBe('terminated');
  });

  describe('concurrent commands', () => {
    it('completing both parallel branches at the same moment fires the join exactly once', async () => {
      const { engine } = await deployed(
        model(
          'p',
          `
        ${startEvent('s')}<bpmn:parallelGateway id="fork"/>${userTask('a')}${userTask('b')}
        <bpmn:parallelGateway id="join"/>${endEvent('e')}
        ${chain('s', 'fork')}${chain('fork', 'a', 'join')}${chain('fork', 'b', 'join')}${chain('join', 'e')}`,
        ),
      );
      const v = await engine.start('p', {});
      await Promise.all(
        v.openTasks.map((t) => engine.completeTask(t.id, { variables: { [t.elementId]: true } })),
      );
      const after = await engine.instance(v.id);
      expect(after.status).toBe('completed');
      expect(path(after).filter((id) => id === 'join')).toHaveLength(1);
      expect(after.variables).toMatchObject({ a: true, b: true });
    });

    it('the same message sent twice at once is consumed once; the same task completed twice at once completes once', async () => {
      const { engine } = await deployed(
        definitions(
          process(
            'p',
            `
          ${startEvent('s')}
          <bpmn:intermediateCatchEvent id="w"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
          ${userTask('t')}${endEvent('e')}
          ${chain('s', 'w', 't', 'e')}`,
          ),
          message('M', 'go'),
        ),
      );
      const v = await engine.start('p', { businessKey: 'K' });
      const results = await Promise.all([
        engine.correlate('go', { correlationKey: 'K' }),
        engine.correlate('go', { correlationKey: 'K' }),
      ]);
      expect(results.flatMap((r) => r.instanceIds)).toEqual([v.id]);
      const view = await engine.instance(v.id);
      expect(view.openTasks).toHaveLength(1);
      const outcomes = await Promise.allSettled([
        engine.completeTask(view.openTasks[0]!.id, {}),
        engine.completeTask(view.openTasks[0]!.id, {}),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const done = await engine.instance(v.id);
      expect(done.status).toBe('completed');
      expect(path(done).filter((id) => id === 't')).toHaveLength(1);
    });

    it('two runDueJobs at once fire a due timer once', async () => {
      const h = await deployed(
        model(
          'p',
          `
        ${startEvent('s')}<bpmn:intermediateCatchEvent id="w">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>${endEvent('e')}
        ${chain('s', 'w', 'e')}`,
        ),
      );
      const v = await h.engine.start('p', {});
      const at = h.clock.advance(HOUR);
      const counts = await Promise.all([h.engine.runDueJobs(at), h.engine.runDueJobs(at)]);
      expect(counts[0]! + counts[1]!).toBe(1);
      const after = await h.engine.instance(v.id);
      expect(after.status).toBe('completed');
      expect(path(after).filter((id) => id === 'w')).toHaveLength(1);
    });
  });

  it('a timer boundary on a service task removes the job when it fires', async () => {
    const h = await deployed(
      model(
        'p',
        `
      ${startEvent('s')}${serviceTask('call', 'slow.system')}
      <bpmn:boundaryEvent id="timeout" attachedToRef="call">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
      ${endEvent('e')}${endEvent('timedOut')}
      ${chain('s', 'call', 'e')}${chain('timeout', 'timedOut')}`,
      ),
    );
    const v = await h.engine.start('p', {});
    const [job] = await h.engine.jobs({ instanceId: v.id });
    expect(await h.tick(HOUR)).toBe(1);
    expect(await h.engine.jobs({ instanceId: v.id })).toEqual([]);
    await expect(h.engine.completeJob(job!.id, {})).rejects.toThrow();
    const after = await h.engine.instance(v.id);
    expect(path(after)).toEqual(['s', 'timeout', 'timedOut']);
  });

  it('malformed command input is rejected without touching the instance', async () => {
    const { engine } = await deployed(
      model('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`),
    );
    await expect(
      engine.start('p', { variables: 'nope' as unknown as Record<string, unknown> }),
    ).rejects.toThrow();
    const v = await engine.start('p', {});
    await expect(
      engine.completeTask(v.openTasks[0]!.id, { variables: [1, 2] as unknown as Record<string, unknown> }),
    ).rejects.toThrow();
    const after = await engine.instance(v.id);
    expect(after.status).toBe('active');
    expect(after.openTasks).toHaveLength(1);
  });

  it('cancel() stops an unbounded non-interrupting timer cycle', async () => {
    const h = await deployed(
      model(
        'p',
        `${startEvent('s')}${userTask('t')}
        <bpmn:boundaryEvent id="nag" attachedToRef="t" cancelActivity="false">${timer('timeCycle', 'R/PT1H')}</bpmn:boundaryEvent>
        ${endEvent('e')}${endEvent('nagged')}
        ${chain('s', 't', 'e')}${chain('nag', 'nagged')}`,
      ),
    );
    const v = await h.engine.start('p', {});
    expect(await h.tick(HOUR)).toBe(1);
    expect(await h.tick(HOUR)).toBe(1);
    await h.engine.cancel(v.id);
    expect(await h.tick(HOUR)).toBe(0);
    expect(await h.tick(100 * HOUR)).toBe(0);
  });

  it('correlate with variables that are not an object is refused', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `${startEvent('s')}<bpmn:receiveTask id="r" messageRef="M"/>${endEvent('e')}${chain('s', 'r', 'e')}`,
        ),
        message('M', 'm'),
      ),
    );
    const v = await engine.start('p', { businessKey: 'K' });
    await expect(
      engine.correlate('m', { correlationKey: 'K', variables: 'x' as unknown as Record<string, unknown> }),
    ).rejects.toThrow();
    expect((await engine.instance(v.id)).status).toBe('active');
  });
});

describe('incidents through the engine', () => {
  const lookup = model(
    'svc',
    `${startEvent('s')}${serviceTask('lookup', 'registry.lookup')}${userTask('check')}${endEvent('e')}
     ${chain('s', 'lookup', 'check', 'e')}`,
  );

  it('a job failed into an incident leaves the job list; completing it is notFound; the retry is a fresh job', async () => {
    const { engine } = await deployed(lookup);
    const v = await engine.start('svc', {});
    const [old] = await engine.jobs({ instanceId: v.id });
    const failed = await engine.failJob(old!.id, { message: 'registry down' });
    expect(failed.status).toBe('incident');
    expect(failed.incidents).toEqual([expect.objectContaining({ elementId: 'lookup', jobId: old!.id })]);
    expect(failed.incident).toEqual(failed.incidents[0]);
    expect(await engine.jobs({ instanceId: v.id })).toEqual([]);
    await expect(engine.completeJob(old!.id, { variables: { stale: true } })).rejects.toMatchObject({
      code: 'notFound',
    });
    await expect(engine.failJob(old!.id, { message: 'again' })).rejects.toMatchObject({ code: 'notFound' });
    expect((await engine.instance(v.id)).status).toBe('incident');

    const retried = await engine.resolveIncident(v.id);
    expect(retried.status).toBe('active');
    expect(retried.incidents).toEqual([]);
    expect(retried.incident).toBeUndefined();
    const jobs = await engine.jobs({ instanceId: v.id });
    expect(jobs.map((j) => j.elementId)).toEqual(['lookup']);
    expect(jobs[0]!.id).not.toBe(old!.id);
    await expect(engine.completeJob(old!.id)).rejects.toMatchObject({ code: 'notFound' });
    const done = await engine.completeJob(jobs[0]!.id, { variables: { registered: true } });
    expect(done.variables).toEqual({ registered: true });
    expect(done.openTasks.map((t) => t.elementId)).toEqual(['check']);
  });

  it('two parallel calls that both give up are two incidents, retried one at a time', async () => {
    let up = false;
    const h = await deployed(
      model(
        'par',
        ['askTax', 'askPolice']
          .map(
            (id) =>
              `<bpmn:serviceTask id="${id}" gov:type="dept" gov:retries="1"/>${chain('fork', id, 'join')}`,
          )
          .join('') +
          `${startEvent('s')}<bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
           ${userTask('decide')}${endEvent('e')}${chain('s', 'fork')}${chain('join', 'decide', 'e')}`,
      ),
      {
        dept: (job) => {
          if (!up) throw new Error(`${job.elementId}: department system down`);
          return { [job.elementId]: 'ok' };
        },
      },
    );
    const v = await h.engine.start('par', {});
    await h.tick(HOUR);
    const failed = await h.engine.instance(v.id);
    expect(failed.status).toBe('incident');
    expect(failed.incidents.map((i) => i.elementId).sort()).toEqual(['askPolice', 'askTax']);
    expect(new Set(failed.incidents.map((i) => i.id)).size).toBe(2);
    expect(await h.engine.jobs({ instanceId: v.id })).toEqual([]);

    up = true;
    const tax = failed.incidents.find((i) => i.elementId === 'askTax')!;
    const police = failed.incidents.find((i) => i.elementId === 'askPolice')!;
    const first = await h.engine.resolveIncident(v.id, { incidentId: tax.id });
    expect(first.status).toBe('incident');
    expect(first.incidents.map((i) => i.id)).toEqual([police.id]);
    await h.tick(HOUR);
    const between = await h.engine.instance(v.id);
    expect(between.variables).toEqual({ askTax: 'ok' });
    expect(between.status).toBe('incident');
    await expect(h.engine.resolveIncident(v.id, { incidentId: tax.id })).rejects.toMatchObject({
      code: 'notFound',
    });

    expect((await h.engine.resolveIncident(v.id, { incidentId: police.id })).status).toBe('active');
    await h.tick(HOUR);
    const done = await h.engine.instance(v.id);
    expect(done.variables).toEqual({ askTax: 'ok', askPolice: 'ok' });
    expect(done.openTasks.map((t) => t.elementId)).toEqual(['decide']);
  });
});

describe('the sweep of unfinished follow-ups (recover)', () => {
  it('one instance whose follow-ups keep failing holds back no other instance’s timers', async () => {
    /** A store that cannot look up one message's receivers for now (its database is away). */
    class Unavailable extends MemoryStore {
      down = true;
      override async findSubscriptions(messageName: string, correlationKey: string | null) {
        if (this.down && messageName === 'licence.ready') throw new Error('store unavailable');
        return super.findSubscriptions(messageName, correlationKey);
      }
    }
    const store = new Unavailable();
    let now = T0;
    const engine = createEngine({ store, clock: () => now });
    await engine.deploy(
      definitions(
        process(
          'notifier',
          `${startEvent('s1')}
          <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateThrowEvent>
          ${endEvent('e1')}${chain('s1', 'notify', 'e1')}`,
        ) +
          process(
            'reminder',
            `${startEvent('s2')}
            <bpmn:intermediateCatchEvent id="wait">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
            ${userTask('call')}${endEvent('e2')}${chain('s2', 'wait', 'call', 'e2')}`,
          ),
        message('M', 'licence.ready'),
      ),
    );
    // Committed, but its message could not be published: the outbox stays for the sweep.
    await expect(engine.start('notifier')).rejects.toThrow('store unavailable');
    const reminder = await engine.start('reminder');
    now += 2 * HOUR;
    const swept = engine.runDueJobs(now);
    await expect(swept).rejects.toThrow(/follow-ups of 1 of 1 instances failed.*store unavailable/);
    // The reminder's timer fired all the same.
    expect((await engine.instance(reminder.id)).openTasks.map((t) => t.elementId)).toEqual(['call']);

    store.down = false;
    await expect(engine.runDueJobs(now)).resolves.toBe(0);
    expect(await store.pendingOutboxes(10)).toEqual([]);
  });
});

describe('variables are kept as JSON carries them', () => {
  const xml = model('p', `${startEvent('s')}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`);
  const given = () => ({
    at: new Date(Date.UTC(2026, 0, 5)),
    n: NaN,
    missing: undefined,
    nested: { big: Infinity, list: [undefined, 1] },
  });
  const asJson = { at: '2026-01-05T00:00:00.000Z', n: null, nested: { big: null, list: [null, 1] } };

  it('the same in the process that ran the command as after a restart (SQLite), and in memory', async () => {
    const dir = mkdtempSync(nodePath.join(os.tmpdir(), 'onething-json-vars-'));
    try {
      const file = nodePath.join(dir, 'e.db');
      const store = new SqliteStore(file);
      const engine = createEngine({ store });
      await engine.deploy(xml);
      const v = await engine.start('p', { variables: given() });
      expect(v.variables).toEqual(asJson);
      const done = await engine.completeTask(v.openTasks[0]!.id, { variables: { when: new Date(0) } });
      await store.close();
      const cold = createEngine({ store: new SqliteStore(file) });
      const reread = await cold.instance(v.id);
      expect(reread.variables).toEqual(done.variables);
      expect(reread.variables).toEqual({ ...asJson, when: '1970-01-01T00:00:00.000Z' });
      await cold.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const inMemory = createEngine();
    await inMemory.deploy(xml);
    expect((await inMemory.start('p', { variables: given() })).variables).toEqual(asJson);
  });

  it('a value JSON cannot hold is refused, naming the variable', async () => {
    const engine = createEngine();
    await engine.deploy(xml);
    const refused = engine.start('p', { variables: { count: 10n } });
    await expect(refused).rejects.toThrow(CommandError);
    await expect(refused).rejects.toThrow(/variable count cannot be stored as JSON/);
  });
});
