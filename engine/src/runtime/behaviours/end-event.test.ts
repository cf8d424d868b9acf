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
  userTask,
} from '../../testing/bpmn.js';
import { deployed, HOUR, openTaskIds, path, T0 } from '../../testing/harness.js';

describe('end event', () => {
  it('none end: the instance completes, with endedAt from the clock and no open tasks', async () => {
    const h = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}${userTask('t')}${endEvent('done')}
      ${chain('start', 't', 'done')}`,
      ),
    );
    const started = await h.engine.start('p', {});
    h.clock.advance(HOUR);
    const view = await h.engine.completeTask(started.openTasks[0]!.id, {});
    expect(view.status).toBe('completed');
    expect(view.endedAt).toBe(T0 + HOUR);
    expect(view.openTasks).toEqual([]);
    expect(path(view)).toEqual(['start', 't', 'done']);
    expect(view.history.some((e) => e.type === 'instance.completed')).toBe(true);
  });

  it('the instance completes only when the last token reaches an end', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:parallelGateway id="fork"/>
      ${userTask('a')}${userTask('b')}
      ${endEvent('endA')}${endEvent('endB')}
      ${chain('start', 'fork')}
      ${chain('fork', 'a', 'endA')}
      ${chain('fork', 'b', 'endB')}`,
      ),
    );
    const v = await engine.start('p', {});
    const a = v.openTasks.find((t) => t.elementId === 'a')!;
    const b = v.openTasks.find((t) => t.elementId === 'b')!;
    const afterA = await engine.completeTask(a.id, {});
    expect(afterA.status).toBe('active');
    expect(path(afterA)).toContain('endA');
    const afterB = await engine.completeTask(b.id, {});
    expect(afterB.status).toBe('completed');
    expect(path(afterB).filter((id) => id.startsWith('end'))).toEqual(['endA', 'endB']);
  });

  it('terminate end kills the parallel branches still running', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:parallelGateway id="fork"/>
      ${userTask('slow')}${userTask('fast')}
      ${userTask('afterSlow')}
      ${endEvent('endSlow')}
      <bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>
      ${chain('start', 'fork')}
      ${chain('fork', 'slow', 'afterSlow', 'endSlow')}
      ${chain('fork', 'fast', 'kill')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(openTaskIds(v)).toEqual(['fast', 'slow']);
    const slow = v.openTasks.find((t) => t.elementId === 'slow')!;
    const fast = v.openTasks.find((t) => t.elementId === 'fast')!;
    const done = await engine.completeTask(fast.id, {});
    expect(['completed', 'terminated']).toContain(done.status);
    expect(done.openTasks).toEqual([]);
    expect(path(done)).toContain('kill');
    expect(path(done)).not.toContain('slow');
    const slowNow = (await engine.tasks({ instanceId: v.id, elementId: 'slow' }))[0]!;
    expect(slowNow.state).toBe('cancelled');
    await expect(engine.completeTask(slow.id, {})).rejects.toThrow();
    const after = await engine.instance(v.id);
    expect(path(after)).not.toContain('afterSlow');
    expect(after.status).toBe(done.status);
  });

  it('terminate end inside a sub-process ends only the sub-process; the parent continues', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:subProcess id="sub">
        ${startEvent('subStart')}
        <bpmn:parallelGateway id="subFork"/>
        ${userTask('inner')}
        ${endEvent('innerEnd')}
        <bpmn:endEvent id="subKill"><bpmn:terminateEventDefinition/></bpmn:endEvent>
        ${chain('subStart', 'subFork')}
        ${chain('subFork', 'inner', 'innerEnd')}
        ${chain('subFork', 'subKill')}
      </bpmn:subProcess>
      ${userTask('after')}
      ${endEvent('end')}
      ${chain('start', 'sub', 'after', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('active');
    expect(openTaskIds(v)).toEqual(['after']);
    expect(path(v)).toEqual(expect.arrayContaining(['subKill', 'sub']));
    expect(path(v).indexOf('subKill')).toBeLessThan(path(v).indexOf('sub'));
    expect((await engine.tasks({ instanceId: v.id, elementId: 'inner' }))[0]?.state).toBe('cancelled');
  });

  it('an error end nobody catches raises an incident naming the end event (never a silent completion)', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
        ${flow('start', 'boom')}`,
        error('E1', 'REJECTED'),
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('incident');
    expect(v.incident?.elementId).toBe('boom');
  });

  it('a message end event publishes its message to the waiting instance with the same key', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'sender',
          `${startEvent('s1')}<bpmn:endEvent id="notifyEnd"><bpmn:messageEventDefinition messageRef="M"/></bpmn:endEvent>
          ${chain('s1', 'notifyEnd')}`,
        ) +
          process(
            'receiver',
            `${startEvent('s2')}<bpmn:receiveTask id="await" messageRef="M"/>${endEvent('e2')}
          ${chain('s2', 'await', 'e2')}`,
          ),
        message('M', 'case.closed', '= caseNo'),
      ),
    );
    const waiting = await engine.start('receiver', { variables: { caseNo: 'C9' } });
    const other = await engine.start('receiver', { variables: { caseNo: 'C10' } });
    const sender = await engine.start('sender', { variables: { caseNo: 'C9' } });
    expect(sender.status).toBe('completed');
    expect((await engine.instance(waiting.id)).status).toBe('completed');
    expect((await engine.instance(other.id)).status).toBe('active');
  });

  it('an escalation end event in a sub-process is caught by a non-interrupting boundary', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:subProcess id="sub">
          ${startEvent('ss')}<bpmn:parallelGateway id="sf"/>${userTask('work')}${endEvent('se')}
          <bpmn:endEvent id="raise"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:endEvent>
          ${chain('ss', 'sf')}${chain('sf', 'work', 'se')}${chain('sf', 'raise')}
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="heard" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:boundaryEvent>
        ${userTask('inform')}${endEvent('end')}${endEvent('endInformed')}
        ${chain('start', 'sub', 'end')}${chain('heard', 'inform', 'endInformed')}`,
        ),
        escalation('X', 'NOTE'),
      ),
    );
    const v = await engine.start('p', {});
    expect(openTaskIds(v)).toEqual(['inform', 'work']);
    let view = v;
    for (const t of v.openTasks) view = await engine.completeTask(t.id, {});
    expect(view.status).toBe('completed');
    expect(path(view)).toEqual(expect.arrayContaining(['sub', 'end', 'endInformed']));
  });
});
