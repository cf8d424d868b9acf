import {
  chain,
  definitions,
  endEvent,
  message,
  model,
  process,
  startEvent,
  timer,
  userTask,
} from '../../testing/bpmn.js';
import { deployed, harness, HOUR, path, T0 } from '../../testing/harness.js';

describe('start event', () => {
  const simple = model(
    'apply',
    `
    ${startEvent('start')}
    ${userTask('check', { department: 'civil' })}
    ${endEvent('end')}
    ${chain('start', 'check', 'end')}`,
  );

  it('none start: creates an active instance with variables and business key, waiting at the first task', async () => {
    const { engine } = await deployed(simple);
    const view = await engine.start('apply', {
      variables: { name: 'Li Lei', amount: 3 },
      businessKey: 'APP-1',
    });
    expect(view.status).toBe('active');
    expect(view.processId).toBe('apply');
    expect(view.businessKey).toBe('APP-1');
    expect(view.variables).toMatchObject({ name: 'Li Lei', amount: 3 });
    expect(view.startedAt).toBe(T0);
    expect(path(view)).toEqual(['start']);
    expect(view.openTasks.map((t) => t.elementId)).toEqual(['check']);
    expect(view.openTasks[0]!.businessKey).toBe('APP-1');
  });

  it('start of an unknown process is rejected', async () => {
    const { engine } = await deployed(simple);
    await expect(engine.start('nope', {})).rejects.toThrow();
  });

  it('starts the latest version unless a version is pinned', async () => {
    const h = harness();
    const v1 = await h.engine.deploy(simple);
    const v2 = await h.engine.deploy(
      model(
        'apply',
        `
      ${startEvent('start')}
      ${userTask('checkV2')}
      ${endEvent('end')}
      ${chain('start', 'checkV2', 'end')}`,
      ),
    );
    expect(v1.processes).toEqual([expect.objectContaining({ id: 'apply', version: 1 })]);
    expect(v2.processes).toEqual([expect.objectContaining({ id: 'apply', version: 2 })]);
    expect(v1.id).not.toBe(v2.id);

    const latest = await h.engine.start('apply', {});
    expect(latest.version).toBe(2);
    expect(latest.deploymentId).toBe(v2.id);
    expect(latest.openTasks.map((t) => t.elementId)).toEqual(['checkV2']);

    const pinned = await h.engine.start('apply', { version: 1 });
    expect(pinned.version).toBe(1);
    expect(pinned.openTasks.map((t) => t.elementId)).toEqual(['check']);
  });

  it('a process with only a start and an end completes at once', async () => {
    const { engine } = await deployed(model('p', `${startEvent('s')}${endEvent('e')}${chain('s', 'e')}`));
    const view = await engine.start('p', {});
    expect(view.status).toBe('completed');
    expect(path(view)).toEqual(['s', 'e']);
    expect(view.endedAt).toBe(T0);
  });

  describe('message start', () => {
    const xml = definitions(
      process(
        'byMessage',
        `
        <bpmn:startEvent id="received"><bpmn:messageEventDefinition messageRef="M_apply"/></bpmn:startEvent>
        ${userTask('accept')}
        ${endEvent('end')}
        ${chain('received', 'accept', 'end')}`,
      ),
      message('M_apply', 'application.submitted'),
    );

    it('correlating the message starts a new instance with the message variables', async () => {
      const { engine } = await deployed(xml);
      const result = await engine.correlate('application.submitted', {
        variables: { applicant: 'Han Meimei' },
      });
      expect(result.started).toBe(true);
      expect(result.instanceIds).toHaveLength(1);
      const view = await engine.instance(result.instanceIds[0]!);
      expect(view.processId).toBe('byMessage');
      expect(view.status).toBe('active');
      expect(view.variables).toMatchObject({ applicant: 'Han Meimei' });
      expect(path(view)).toEqual(['received']);
      expect(view.openTasks.map((t) => t.elementId)).toEqual(['accept']);
    });

    it('each message starts its own instance; an unknown message starts nothing', async () => {
      const { engine } = await deployed(xml);
      const a = await engine.correlate('application.submitted', {});
      const b = await engine.correlate('application.submitted', {});
      expect(a.instanceIds[0]).not.toBe(b.instanceIds[0]);
      const none = await engine.correlate('something.else', {});
      expect(none).toEqual({ instanceIds: [], started: false });
      expect(await engine.tasks({ processId: 'byMessage' })).toHaveLength(2);
    });
  });

  describe('timer start', () => {
    it('timeDate: starts one instance when the date is reached, and only once', async () => {
      const h = await deployed(
        model(
          'daily',
          `
        <bpmn:startEvent id="at10">${timer('timeDate', '2026-01-05T10:00:00Z')}</bpmn:startEvent>
        ${userTask('report')}
        ${endEvent('end')}
        ${chain('at10', 'report', 'end')}`,
        ),
      );
      expect(await h.engine.runDueJobs(T0)).toBe(0);
      expect(await h.engine.tasks({ processId: 'daily' })).toHaveLength(0);
      expect(await h.tick(HOUR)).toBe(1);
      const tasks = await h.engine.tasks({ processId: 'daily' });
      expect(tasks).toHaveLength(1);
      const view = await h.engine.instance(tasks[0]!.instanceId);
      expect(path(view)).toEqual(['at10']);
      expect(view.startedAt).toBe(T0 + HOUR);
      expect(await h.tick(24 * HOUR)).toBe(0);
      expect(await h.engine.tasks({ processId: 'daily' })).toHaveLength(1);
    });

    it('timeCycle R2/PT1H: starts exactly two instances, one per hour', async () => {
      const h = await deployed(
        model(
          'hourly',
          `
        <bpmn:startEvent id="every">${timer('timeCycle', 'R2/PT1H')}</bpmn:startEvent>
        ${userTask('work')}
        ${endEvent('end')}
        ${chain('every', 'work', 'end')}`,
        ),
      );
      expect(await h.tick(HOUR - 1)).toBe(0);
      expect(await h.tick(1)).toBe(1);
      expect(await h.engine.tasks({ processId: 'hourly' })).toHaveLength(1);
      expect(await h.tick(HOUR)).toBe(1);
      expect(await h.engine.tasks({ processId: 'hourly' })).toHaveLength(2);
      expect(await h.tick(HOUR)).toBe(0);
      expect(await h.tick(10 * HOUR)).toBe(0);
      const tasks = await h.engine.tasks({ processId: 'hourly' });
      expect(tasks).toHaveLength(2);
      expect(new Set(tasks.map((t) => t.instanceId)).size).toBe(2);
    });
  });

  it('a new version replaces the timer start of the previous one', async () => {
    const h = harness();
    const v1 = (task: string): string =>
      model(
        'daily',
        `
        <bpmn:startEvent id="tick">${timer('timeCycle', 'R5/PT1H')}</bpmn:startEvent>
        ${userTask(task)}${endEvent('end')}
        ${chain('tick', task, 'end')}`,
      );
    await h.engine.deploy(v1('oldTask'));
    await h.engine.deploy(v1('newTask'));
    expect(await h.tick(HOUR)).toBe(1);
    const tasks = await h.engine.tasks({ processId: 'daily' });
    expect(tasks.map((t) => t.elementId)).toEqual(['newTask']);
  });

  it('a new version replaces the message start subscription of the previous one', async () => {
    const h = harness();
    const version = (task: string): string =>
      definitions(
        process(
          'byMsg',
          `
        <bpmn:startEvent id="go"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>
        ${userTask(task)}${endEvent('end')}
        ${chain('go', task, 'end')}`,
        ),
        message('M', 'go'),
      );
    await h.engine.deploy(version('oldTask'));
    await h.engine.deploy(version('newTask'));
    const r = await h.engine.correlate('go', {});
    expect(r.instanceIds).toHaveLength(1);
    expect((await h.engine.instance(r.instanceIds[0]!)).version).toBe(2);
  });
});
