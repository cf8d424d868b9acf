import {
  chain,
  definitions,
  endEvent,
  error,
  escalation,
  flow,
  message,
  model,
  process,
  startEvent,
  timer,
  userTask,
} from '../../testing/bpmn.js';
import { deployed, HOUR, MINUTE, openTaskIds, path, timesCompleted } from '../../testing/harness.js';

describe('boundary events', () => {
  describe('timer', () => {
    const reminder = definitions(
      process(
        'p',
        `
      ${startEvent('start')}
      ${userTask('review', { department: 'tax' })}
      <bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">${timer('timeCycle', 'R2/PT1H')}</bpmn:boundaryEvent>
      <bpmn:intermediateThrowEvent id="sendReminder"/>
      ${endEvent('reminded')}
      ${endEvent('end')}
      ${chain('start', 'review', 'end')}
      ${chain('remind', 'sendReminder', 'reminded')}`,
      ),
    );

    it('non-interrupting cycle R2/PT1H fires twice while the task stays open, then stops', async () => {
      const h = await deployed(reminder);
      const v = await h.engine.start('p', {});
      const taskId = v.openTasks[0]!.id;

      expect(await h.tick(HOUR - MINUTE)).toBe(0);
      expect(await h.tick(MINUTE)).toBe(1);
      let view = await h.engine.instance(v.id);
      expect(timesCompleted(view, 'reminded')).toBe(1);
      expect(view.status).toBe('active');
      expect(view.openTasks.map((t) => t.id)).toEqual([taskId]);

      expect(await h.tick(HOUR)).toBe(1);
      view = await h.engine.instance(v.id);
      expect(timesCompleted(view, 'reminded')).toBe(2);
      expect(timesCompleted(view, 'remind')).toBe(2);
      expect(view.openTasks.map((t) => t.id)).toEqual([taskId]);

      expect(await h.tick(HOUR)).toBe(0);
      expect(await h.tick(24 * HOUR)).toBe(0);
      view = await h.engine.instance(v.id);
      expect(timesCompleted(view, 'reminded')).toBe(2);

      const done = await h.engine.completeTask(taskId, {});
      expect(done.status).toBe('completed');
      expect(path(done).at(-1)).toBe('end');
    });

    it('non-interrupting cycle stops when the task completes before it fires again', async () => {
      const h = await deployed(reminder);
      const v = await h.engine.start('p', {});
      expect(await h.tick(HOUR)).toBe(1);
      await h.engine.completeTask(v.openTasks[0]!.id, {});
      expect(await h.tick(5 * HOUR)).toBe(0);
      expect(timesCompleted(await h.engine.instance(v.id), 'reminded')).toBe(1);
    });

    const deadline = definitions(
      process(
        'p',
        `
      ${startEvent('start')}
      ${userTask('review')}
      <bpmn:boundaryEvent id="overdue" attachedToRef="review">${timer('timeDuration', 'PT2H')}</bpmn:boundaryEvent>
      ${userTask('escalate')}
      ${endEvent('end')}${endEvent('endOverdue')}
      ${chain('start', 'review', 'end')}
      ${chain('overdue', 'escalate', 'endOverdue')}`,
      ),
    );

    it('interrupting timer cancels the task and takes the boundary path', async () => {
      const h = await deployed(deadline);
      const v = await h.engine.start('p', {});
      const reviewId = v.openTasks[0]!.id;
      expect(await h.tick(2 * HOUR - 1)).toBe(0);
      expect(await h.tick(1)).toBe(1);
      const view = await h.engine.instance(v.id);
      expect(openTaskIds(view)).toEqual(['escalate']);
      expect(path(view)).toEqual(['start', 'overdue']);
      expect((await h.engine.tasks({ instanceId: v.id, elementId: 'review' }))[0]!.state).toBe('cancelled');
      await expect(h.engine.completeTask(reviewId, {})).rejects.toThrow();
    });

    it('interrupting timer is cancelled when the task completes in time', async () => {
      const h = await deployed(deadline);
      const v = await h.engine.start('p', {});
      h.clock.advance(HOUR);
      const done = await h.engine.completeTask(v.openTasks[0]!.id, {});
      expect(done.status).toBe('completed');
      expect(await h.tick(5 * HOUR)).toBe(0);
      expect(path(await h.engine.instance(v.id))).not.toContain('overdue');
    });
  });

  describe('message', () => {
    const xml = (cancelActivity: boolean): string =>
      definitions(
        process(
          'p',
          `
          ${startEvent('start')}
          ${userTask('review')}
          <bpmn:boundaryEvent id="onMsg" attachedToRef="review" cancelActivity="${cancelActivity}"><bpmn:messageEventDefinition messageRef="M"/></bpmn:boundaryEvent>
          ${userTask('handleMsg')}
          ${endEvent('end')}${endEvent('endMsg')}
          ${chain('start', 'review', 'end')}
          ${chain('onMsg', 'handleMsg', 'endMsg')}`,
        ),
        message('M', 'applicant.withdrew'),
      );

    it('interrupting: the message cancels the task', async () => {
      const { engine } = await deployed(xml(true));
      const v = await engine.start('p', { businessKey: 'K1' });
      const r = await engine.correlate('applicant.withdrew', {
        correlationKey: 'K1',
        variables: { reason: 'moved' },
      });
      expect(r.instanceIds).toEqual([v.id]);
      const view = await engine.instance(v.id);
      expect(openTaskIds(view)).toEqual(['handleMsg']);
      expect(view.variables['reason']).toBe('moved');
      expect((await engine.tasks({ instanceId: v.id, elementId: 'review' }))[0]!.state).toBe('cancelled');
      // the subscription is gone
      expect((await engine.correlate('applicant.withdrew', { correlationKey: 'K1' })).instanceIds).toEqual(
        [],
      );
    });

    it('non-interrupting: the task stays open and the boundary path runs alongside', async () => {
      const { engine } = await deployed(xml(false));
      const v = await engine.start('p', { businessKey: 'K1' });
      await engine.correlate('applicant.withdrew', { correlationKey: 'K1' });
      const view = await engine.instance(v.id);
      expect(openTaskIds(view)).toEqual(['handleMsg', 'review']);
      // still subscribed while the task is open
      expect((await engine.correlate('applicant.withdrew', { correlationKey: 'K1' })).instanceIds).toEqual([
        v.id,
      ]);
    });

    it('the subscription ends when the task completes', async () => {
      const { engine } = await deployed(xml(true));
      const v = await engine.start('p', { businessKey: 'K1' });
      await engine.completeTask(v.openTasks[0]!.id, {});
      expect((await engine.correlate('applicant.withdrew', { correlationKey: 'K1' })).instanceIds).toEqual(
        [],
      );
      expect((await engine.instance(v.id)).status).toBe('completed');
    });
  });

  describe('error', () => {
    const xml = definitions(
      process(
        'p',
        `
        ${startEvent('start')}
        ${userTask('review')}
        <bpmn:boundaryEvent id="rejected" attachedToRef="review"><bpmn:errorEventDefinition errorRef="E_REJ"/></bpmn:boundaryEvent>
        ${userTask('notify')}
        ${endEvent('end')}${endEvent('endRejected')}
        ${chain('start', 'review', 'end')}
        ${chain('rejected', 'notify', 'endRejected')}`,
      ),
      error('E_REJ', 'REJECTED'),
    );

    it('throwError on a user task with a matching code is caught by the boundary', async () => {
      const { engine } = await deployed(xml);
      const v = await engine.start('p', {});
      await engine.throwError(v.openTasks[0]!.id, {
        errorCode: 'REJECTED',
        variables: { why: 'incomplete' },
      });
      const view = await engine.instance(v.id);
      expect(view.status).toBe('active');
      expect(openTaskIds(view)).toEqual(['notify']);
      expect(view.variables['why']).toBe('incomplete');
      expect(path(view)).toEqual(['start', 'rejected']);
    });

    it('an error code nobody catches is an incident naming the task', async () => {
      const { engine } = await deployed(xml);
      const v = await engine.start('p', {});
      await engine.throwError(v.openTasks[0]!.id, { errorCode: 'SOMETHING_ELSE' });
      const view = await engine.instance(v.id);
      expect(view.status).toBe('incident');
      expect(view.incident?.elementId).toBe('review');
    });
  });

  describe('escalation', () => {
    const xml = (cancelActivity: boolean): string =>
      definitions(
        process(
          'p',
          `
          ${startEvent('start')}
          <bpmn:subProcess id="handle">
            ${startEvent('hStart')}
            ${userTask('firstLook')}
            <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="X_LATE"/></bpmn:intermediateThrowEvent>
            ${userTask('finish')}
            ${endEvent('hEnd')}
            ${chain('hStart', 'firstLook', 'raise', 'finish', 'hEnd')}
          </bpmn:subProcess>
          <bpmn:boundaryEvent id="late" attachedToRef="handle" cancelActivity="${cancelActivity}"><bpmn:escalationEventDefinition escalationRef="X_LATE"/></bpmn:boundaryEvent>
          ${userTask('informSupervisor')}
          ${endEvent('end')}${endEvent('endInformed')}
          ${chain('start', 'handle', 'end')}
          ${chain('late', 'informSupervisor', 'endInformed')}`,
        ),
        escalation('X_LATE', 'LATE'),
      );

    it('non-interrupting: caught by the boundary while the sub-process carries on', async () => {
      const { engine } = await deployed(xml(false));
      const v = await engine.start('p', {});
      const view = await engine.completeTask(v.openTasks[0]!.id, {});
      expect(openTaskIds(view)).toEqual(['finish', 'informSupervisor']);
      expect(path(view)).toContain('late');
      // the path reads in causal order: the throw is logged before the boundary that caught it
      expect(path(view).indexOf('raise')).toBeGreaterThanOrEqual(0);
      expect(path(view).indexOf('raise')).toBeLessThan(path(view).indexOf('late'));
      let final = view;
      for (const t of view.openTasks) final = await engine.completeTask(t.id, {});
      expect(final.status).toBe('completed');
      expect(path(final)).toEqual(expect.arrayContaining(['handle', 'end', 'endInformed']));
    });

    it('interrupting: the sub-process is cancelled', async () => {
      const { engine } = await deployed(xml(true));
      const v = await engine.start('p', {});
      const view = await engine.completeTask(v.openTasks[0]!.id, {});
      expect(openTaskIds(view)).toEqual(['informSupervisor']);
      expect(path(view)).not.toContain('handle');
    });
  });

  describe('on a sub-process', () => {
    it('an error thrown from a task inside propagates to the boundary on the enclosing sub-process', async () => {
      const { engine } = await deployed(
        definitions(
          process(
            'p',
            `
          ${startEvent('start')}
          <bpmn:subProcess id="sub">
            ${startEvent('sStart')}${userTask('inner')}${userTask('sibling')}${endEvent('sEnd')}${endEvent('sEnd2')}
            <bpmn:parallelGateway id="sFork"/>
            ${chain('sStart', 'sFork')}${chain('sFork', 'inner', 'sEnd')}${chain('sFork', 'sibling', 'sEnd2')}
          </bpmn:subProcess>
          <bpmn:boundaryEvent id="failed" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('endFailed')}
          ${chain('start', 'sub', 'end')}${chain('failed', 'endFailed')}`,
          ),
          error('E', 'BROKEN'),
        ),
      );
      const v = await engine.start('p', {});
      const inner = v.openTasks.find((t) => t.elementId === 'inner')!;
      await engine.throwError(inner.id, { errorCode: 'BROKEN' });
      const after = await engine.instance(v.id);
      expect(after.status).toBe('completed');
      expect(path(after)).toContain('endFailed');
      expect(after.openTasks).toEqual([]);
      expect((await engine.tasks({ instanceId: v.id, elementId: 'sibling' }))[0]!.state).toBe('cancelled');
    });

    it('interrupting the sub-process removes the timers waiting inside it', async () => {
      const h = await deployed(
        definitions(
          process(
            'p',
            `
          ${startEvent('start')}
          <bpmn:subProcess id="sub">
            ${startEvent('sStart')}
            <bpmn:intermediateCatchEvent id="innerWait">${timer('timeDuration', 'PT2H')}</bpmn:intermediateCatchEvent>
            ${endEvent('sEnd')}
            ${chain('sStart', 'innerWait', 'sEnd')}
          </bpmn:subProcess>
          <bpmn:boundaryEvent id="stop" attachedToRef="sub"><bpmn:messageEventDefinition messageRef="M"/></bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('stopped')}
          ${chain('start', 'sub', 'end')}${chain('stop', 'stopped')}`,
          ),
          message('M', 'stop'),
        ),
      );
      const v = await h.engine.start('p', { businessKey: 'S' });
      await h.engine.correlate('stop', { correlationKey: 'S' });
      expect((await h.engine.instance(v.id)).status).toBe('completed');
      expect(await h.tick(3 * HOUR)).toBe(0);
      expect(path(await h.engine.instance(v.id))).not.toContain('innerWait');
    });

    it('a non-interrupting cycle on the sub-process fires while the inner task is open, and stops after it', async () => {
      const h = await deployed(
        definitions(
          process(
            'p',
            `
          ${startEvent('start')}
          <bpmn:subProcess id="sub">
            ${startEvent('sStart')}${userTask('inner')}${endEvent('sEnd')}
            ${chain('sStart', 'inner', 'sEnd')}
          </bpmn:subProcess>
          <bpmn:boundaryEvent id="tick" attachedToRef="sub" cancelActivity="false">${timer('timeCycle', 'R3/PT1H')}</bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('ticked')}
          ${chain('start', 'sub', 'end')}${chain('tick', 'ticked')}`,
          ),
        ),
      );
      const v = await h.engine.start('p', {});
      expect(await h.tick(HOUR)).toBe(1);
      expect(await h.tick(HOUR)).toBe(1);
      await h.engine.completeTask(v.openTasks[0]!.id, {});
      expect(await h.tick(HOUR)).toBe(0);
      const after = await h.engine.instance(v.id);
      expect(after.status).toBe('completed');
      expect(timesCompleted(after, 'ticked')).toBe(2);
    });
  });

  it('a cycle with a start date (R2/<date>/PT1H) fires first at the date, then an hour later', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `${startEvent('start')}${userTask('t')}
        <bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false">${timer('timeCycle', 'R2/2026-01-05T12:00:00Z/PT1H')}</bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('fired')}
        ${chain('start', 't', 'end')}${chain('b', 'fired')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', {});
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 11, 59))).toBe(0);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 12, 0))).toBe(1);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 12, 59))).toBe(0);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 13, 0))).toBe(1);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 6, 13, 0))).toBe(0);
    expect(timesCompleted(await h.engine.instance(v.id), 'fired')).toBe(2);
  });

  it('a boundary timer on a sub-process that completes in time is removed', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:subProcess id="sub">${startEvent('ss')}${userTask('inner')}${endEvent('se')}${chain('ss', 'inner', 'se')}</bpmn:subProcess>
        <bpmn:boundaryEvent id="late" attachedToRef="sub">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('endLate')}
        ${chain('start', 'sub', 'end')}${chain('late', 'endLate')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', {});
    await h.engine.completeTask(v.openTasks[0]!.id, {});
    expect(await h.tick(2 * HOUR)).toBe(0);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after)).not.toContain('late');
  });

  describe('a boundary timer whose expression fails as its activity is entered', () => {
    it('a user task: no task is left open beside the incident; resolving opens one, which then moves on', async () => {
      const { engine } = await deployed(
        model(
          'p',
          `${startEvent('s')}${userTask('review')}${userTask('approve')}${endEvent('e')}${endEvent('late')}
          <bpmn:boundaryEvent id="deadline" attachedToRef="review">${timer('timeDuration', '= deadline')}</bpmn:boundaryEvent>
          ${chain('s', 'review', 'approve', 'e')}${flow('deadline', 'late')}`,
        ),
      );
      const v = await engine.start('p');
      expect(v.status).toBe('incident');
      expect(v.incident).toMatchObject({ elementId: 'review' });
      // Before, the task stood open: completing it moved the token on with its incident kept.
      expect(v.openTasks).toEqual([]);
      const resolved = await engine.resolveIncident(v.id, { variables: { deadline: 'PT1H' } });
      expect(resolved.status).toBe('active');
      expect(openTaskIds(resolved)).toEqual(['review']);
      const next = await engine.completeTask(resolved.openTasks[0]!.id, {});
      expect(next.status).toBe('active');
      expect(next.incidents).toEqual([]);
      expect(openTaskIds(next)).toEqual(['approve']);
    });

    it('a sub-process: resolving starts it once, not beside the one left half entered', async () => {
      const { engine } = await deployed(
        model(
          'p',
          `${startEvent('s')}
          <bpmn:subProcess id="sub">${startEvent('ss')}${userTask('inner')}${endEvent('se')}${chain('ss', 'inner', 'se')}</bpmn:subProcess>
          <bpmn:boundaryEvent id="deadline" attachedToRef="sub">${timer('timeDuration', '= deadline')}</bpmn:boundaryEvent>
          ${userTask('after')}${endEvent('e')}${endEvent('late')}
          ${chain('s', 'sub', 'after', 'e')}${flow('deadline', 'late')}`,
        ),
      );
      const v = await engine.start('p');
      expect(v.status).toBe('incident');
      expect(v.openTasks).toEqual([]);
      const resolved = await engine.resolveIncident(v.id, { variables: { deadline: 'PT1H' } });
      expect(openTaskIds(resolved)).toEqual(['inner']);
      const next = await engine.completeTask(resolved.openTasks[0]!.id, {});
      expect(openTaskIds(next)).toEqual(['after']);
      expect(timesCompleted(next, 'sub')).toBe(1);
    });
  });
});
