import type { Job } from '../../api.js';
import { chain, endEvent, error, model, serviceTask, startEvent, userTask } from '../../testing/bpmn.js';
import { DAY, deployed, path } from '../../testing/harness.js';

const xml = model(
  'svc',
  `
  ${startEvent('start')}
  ${serviceTask('lookup', 'registry.lookup')}
  ${userTask('check')}
  ${endEvent('end')}
  ${chain('start', 'lookup', 'check', 'end')}`,
);

describe('service task', () => {
  it('without a handler: creates a job that waits for completeJob, whose variables are merged', async () => {
    const h = await deployed(xml);
    const v = await h.engine.start('svc', { variables: { idNumber: '110101' } });
    expect(v.status).toBe('active');
    expect(v.openTasks).toEqual([]);
    const jobs = await h.engine.jobs({ instanceId: v.id });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ instanceId: v.id, elementId: 'lookup', type: 'registry.lookup' });
    expect(jobs[0]!.variables).toMatchObject({ idNumber: '110101' });
    // no handler: runDueJobs leaves it alone
    expect(await h.engine.runDueJobs(h.clock.now())).toBe(0);
    expect(await h.engine.jobs({ instanceId: v.id })).toHaveLength(1);

    const after = await h.engine.completeJob(jobs[0]!.id, { variables: { registered: true } });
    expect(after.variables).toMatchObject({ idNumber: '110101', registered: true });
    expect(path(after)).toEqual(['start', 'lookup']);
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['check']);
    expect(await h.engine.jobs({ instanceId: v.id })).toEqual([]);
    await expect(h.engine.completeJob(jobs[0]!.id, {})).rejects.toThrow();
  });

  it('jobs() filters by type', async () => {
    const { engine } = await deployed(xml);
    await engine.start('svc', {});
    await engine.start('svc', {});
    expect(await engine.jobs({ type: 'registry.lookup' })).toHaveLength(2);
    expect(await engine.jobs({ type: 'other' })).toHaveLength(0);
  });

  it('with an in-process handler: runDueJobs runs it with the instance variables and merges its result', async () => {
    const seen: Job[] = [];
    const h = await deployed(xml, {
      'registry.lookup': async (job) => {
        seen.push(job);
        return { registered: job.variables['idNumber'] === '110101' };
      },
    });
    const v = await h.engine.start('svc', { variables: { idNumber: '110101' } });
    expect(await h.engine.runDueJobs(h.clock.now())).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ elementId: 'lookup', type: 'registry.lookup', instanceId: v.id });
    const after = await h.engine.instance(v.id);
    expect(after.variables).toMatchObject({ registered: true });
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['check']);
    expect(await h.engine.runDueJobs(h.clock.now())).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it('failJob with an errorCode is a BPMN error caught by a matching error boundary', async () => {
    const { engine } = await deployed(
      model(
        'svc',
        `
        ${startEvent('start')}
        ${serviceTask('pay', 'payment')}
        <bpmn:boundaryEvent id="declined" attachedToRef="pay"><bpmn:errorEventDefinition errorRef="E_DECLINED"/></bpmn:boundaryEvent>
        ${userTask('manual')}
        ${endEvent('paid')}${endEvent('failed')}
        ${chain('start', 'pay', 'paid')}
        ${chain('declined', 'manual', 'failed')}`,
        error('E_DECLINED', 'DECLINED'),
      ),
    );
    const v = await engine.start('svc', {});
    const [job] = await engine.jobs({ instanceId: v.id });
    await engine.failJob(job!.id, { message: 'card declined', errorCode: 'DECLINED' });
    const after = await engine.instance(v.id);
    expect(after.status).toBe('active');
    expect(path(after)).toEqual(['start', 'declined']);
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['manual']);
    expect(await engine.jobs({ instanceId: v.id })).toEqual([]);
  });

  it('a job that keeps failing without an errorCode ends in an incident naming the task (no crash)', async () => {
    const h = await deployed(
      model(
        'svc',
        `
        ${startEvent('start')}
        <bpmn:serviceTask id="flaky" gov:type="flaky" gov:retries="1"/>
        ${endEvent('end')}
        ${chain('start', 'flaky', 'end')}`,
      ),
      {
        flaky: () => {
          throw new Error('department system down');
        },
      },
    );
    const v = await h.engine.start('svc', {});
    for (let i = 0; i < 10; i++) {
      await h.tick(DAY);
      if ((await h.engine.instance(v.id)).status !== 'active') break;
    }
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('incident');
    expect(after.incident).toMatchObject({ elementId: 'flaky' });
    expect(after.incident!.message).toMatch(/down/);
  });

  it('a handler that changes its job and then fails leaves the instance as it was', async () => {
    const h = await deployed(xml, {
      'registry.lookup': (job: Job) => {
        // Works on its argument in place, then the department system times out.
        (job.variables['order'] as { lines: string[] }).lines.push('tampered');
        job.variables['flag'] = 'x';
        throw new Error('department system down');
      },
    });
    const v = await h.engine.start('svc', { variables: { order: { lines: ['a'] } } });
    await h.tick(DAY);
    const after = await h.engine.instance(v.id);
    expect(after.variables).toEqual({ order: { lines: ['a'] } });
    const [job] = await h.engine.jobs({ instanceId: v.id });
    expect(job!.variables).toEqual({ order: { lines: ['a'] } });
  });
});
