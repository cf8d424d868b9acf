import {
  chain,
  definitions,
  endEvent,
  process,
  startEvent,
  userTask,
  xmlEscape,
  error,
  message,
  model,
  timer,
} from '../../testing/bpmn.js';
import { createEngine, MemoryStore } from '../../index.js';
import { deployed, harness, HOUR, openTaskIds, path, within } from '../../testing/harness.js';

const rule = (id: string, expression: string, resultVariable: string): string =>
  `<bpmn:businessRuleTask id="${id}" gov:expression="${xmlEscape(expression)}" gov:resultVariable="${resultVariable}"/>`;

const child = process(
  'child',
  `
  ${startEvent('cStart')}
  ${rule('compute', '= x + 1', 'y')}
  ${userTask('childTask', { department: 'tax' })}
  ${endEvent('cEnd')}
  ${chain('cStart', 'compute', 'childTask', 'cEnd')}`,
);

describe('call activity', () => {
  it('input/output mappings: only mapped variables go in and come back', async () => {
    const { engine } = await deployed(
      definitions(
        child +
          process(
            'parent',
            `
          ${startEvent('start')}
          <bpmn:callActivity id="callTax" calledElement="child">
            <bpmn:extensionElements>
              <gov:input source="= a * 10" target="x"/>
              <gov:output source="= y" target="result"/>
            </bpmn:extensionElements>
          </bpmn:callActivity>
          ${userTask('after')}
          ${endEvent('end')}
          ${chain('start', 'callTax', 'after', 'end')}`,
          ),
      ),
    );
    const parent = await engine.start('parent', { variables: { a: 2, secret: 's' } });
    expect(parent.status).toBe('active');
    expect(parent.openTasks).toEqual([]);

    const [task] = await engine.tasks({ processId: 'child', state: 'open' });
    expect(task).toBeDefined();
    const childView = await engine.instance(task!.instanceId);
    expect(childView.parentInstanceId).toBe(parent.id);
    expect(childView.variables).toMatchObject({ x: 20, y: 21 });
    expect(childView.variables['secret']).toBeUndefined();
    expect(childView.variables['a']).toBeUndefined();

    await engine.completeTask(task!.id, { variables: { childOnly: true } });
    expect((await engine.instance(childView.id)).status).toBe('completed');
    const after = await engine.instance(parent.id);
    expect(after.variables).toMatchObject({ a: 2, secret: 's', result: 21 });
    expect(after.variables['y']).toBeUndefined();
    expect(after.variables['childOnly']).toBeUndefined();
    expect(path(after)).toEqual(['start', 'callTax']);
    expect(openTaskIds(after)).toEqual(['after']);
  });

  it('no mappings: all parent variables pass in and all child variables come back', async () => {
    const { engine } = await deployed(
      definitions(
        child +
          process(
            'parent',
            `
          ${startEvent('start')}
          <bpmn:callActivity id="callTax" calledElement="child"/>
          ${endEvent('end')}
          ${chain('start', 'callTax', 'end')}`,
          ),
      ),
    );
    const parent = await engine.start('parent', { variables: { x: 1, keep: 'k' } });
    const [task] = await engine.tasks({ processId: 'child', state: 'open' });
    const childView = await engine.instance(task!.instanceId);
    expect(childView.variables).toMatchObject({ x: 1, keep: 'k', y: 2 });
    await engine.completeTask(task!.id, { variables: { childOnly: true } });
    const after = await engine.instance(parent.id);
    expect(after.status).toBe('completed');
    expect(after.variables).toMatchObject({ x: 1, keep: 'k', y: 2, childOnly: true });
  });

  it('calls the latest deployed version of the child, deployed separately', async () => {
    const h = harness();
    await h.engine.deploy(
      definitions(
        process(
          'child',
          `${startEvent('s')}${userTask('v1Task')}${endEvent('e')}${chain('s', 'v1Task', 'e')}`,
        ),
      ),
    );
    await h.engine.deploy(
      definitions(
        process(
          'parent',
          `
      ${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>${endEvent('end')}
      ${chain('start', 'call', 'end')}`,
        ),
      ),
    );
    await h.engine.deploy(
      definitions(
        process(
          'child',
          `${startEvent('s')}${userTask('v2Task')}${endEvent('e')}${chain('s', 'v2Task', 'e')}`,
        ),
      ),
    );
    const parent = await h.engine.start('parent', {});
    const tasks = await h.engine.tasks({ processId: 'child', state: 'open' });
    expect(tasks.map((t) => t.elementId)).toEqual(['v2Task']);
    expect((await h.engine.instance(tasks[0]!.instanceId)).version).toBe(2);
    await h.engine.completeTask(tasks[0]!.id, {});
    expect((await h.engine.instance(parent.id)).status).toBe('completed');
  });

  it('an error end in the child is caught by an error boundary on the call activity', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'child',
          `
        ${startEvent('cs')}
        <bpmn:endEvent id="cFail"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>
        ${chain('cs', 'cFail')}`,
        ) +
          process(
            'parent',
            `
          ${startEvent('start')}
          <bpmn:callActivity id="call" calledElement="child"/>
          <bpmn:boundaryEvent id="childFailed" attachedToRef="call"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
          ${endEvent('ok')}${endEvent('handled')}
          ${chain('start', 'call', 'ok')}
          ${chain('childFailed', 'handled')}`,
          ),
        error('E1', 'CHILD_FAILED'),
      ),
    );
    const parent = await engine.start('parent', {});
    const after = await engine.instance(parent.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'childFailed', 'handled']);
  });

  it('cancelling the parent cancels the child instance and its tasks', async () => {
    const { engine } = await deployed(
      definitions(
        child +
          process(
            'parent',
            `
          ${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>${endEvent('end')}
          ${chain('start', 'call', 'end')}`,
          ),
      ),
    );
    const parent = await engine.start('parent', { variables: { x: 0 } });
    const [task] = await engine.tasks({ processId: 'child', state: 'open' });
    const cancelled = await within(engine.cancel(parent.id), 'cancel(parent)');
    expect(cancelled.status).toBe('terminated');
    expect((await engine.instance(task!.instanceId)).status).toBe('terminated');
    expect(await engine.tasks({ processId: 'child', state: 'open' })).toEqual([]);
  });

  it('an interrupting timer on the call activity cancels the child and takes the boundary path', async () => {
    const h = await deployed(
      definitions(
        child +
          process(
            'parent',
            `
          ${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>
          <bpmn:boundaryEvent id="tooLong" attachedToRef="call">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('endLate')}
          ${chain('start', 'call', 'end')}
          ${chain('tooLong', 'endLate')}`,
          ),
      ),
    );
    const parent = await h.engine.start('parent', { variables: { x: 0 } });
    const [task] = await h.engine.tasks({ processId: 'child', state: 'open' });
    await within(h.tick(HOUR), 'runDueJobs firing the boundary timer');
    const after = await h.engine.instance(parent.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'tooLong', 'endLate']);
    expect((await h.engine.instance(task!.instanceId)).status).toBe('terminated');
  });

  it('a call reached after a wait state, to a child that ends at once, completes the parent', async () => {
    const { engine } = await deployed(
      definitions(
        process('instant', `${startEvent('is')}${endEvent('ie')}${chain('is', 'ie')}`) +
          process(
            'parent',
            `${startEvent('start')}${userTask('first')}<bpmn:callActivity id="call" calledElement="instant"/>${endEvent('end')}
          ${chain('start', 'first', 'call', 'end')}`,
          ),
      ),
    );
    const parent = await engine.start('parent', {});
    const after = await within(engine.completeTask(parent.openTasks[0]!.id, {}), 'completeTask');
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'first', 'call', 'end']);
  });

  it('an escalation thrown in the child is caught non-interrupting on the call activity', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'child',
          `${startEvent('cs')}
          <bpmn:intermediateThrowEvent id="shout"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:intermediateThrowEvent>
          ${userTask('childTask')}${endEvent('ce')}
          ${chain('cs', 'shout', 'childTask', 'ce')}`,
        ) +
          process(
            'parent',
            `${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>
          <bpmn:boundaryEvent id="heard" attachedToRef="call" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:boundaryEvent>
          ${userTask('react')}${endEvent('end')}${endEvent('endReact')}
          ${chain('start', 'call', 'end')}${chain('heard', 'react', 'endReact')}`,
          ),
        '<bpmn:escalation id="X" escalationCode="SLOW"/>',
      ),
    );
    const parent = await engine.start('parent', {});
    const view = await engine.instance(parent.id);
    expect(openTaskIds(view)).toEqual(['react']);
    const [childTask] = await engine.tasks({ processId: 'child', state: 'open' });
    expect(childTask).toBeDefined();
    await engine.completeTask(childTask!.id, {});
    const final = await engine.completeTask(view.openTasks[0]!.id, {});
    expect(final.status).toBe('completed');
  });

  it('an interrupting escalation boundary on the call activity cancels the child', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'child',
          `${startEvent('cs')}<bpmn:parallelGateway id="cf"/>${userTask('childTask')}${endEvent('ce')}
          <bpmn:endEvent id="giveUp"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:endEvent>
          ${chain('cs', 'cf')}${chain('cf', 'childTask', 'ce')}${chain('cf', 'giveUp')}`,
        ) +
          process(
            'parent',
            `${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>
          <bpmn:boundaryEvent id="escalated" attachedToRef="call"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('endEscalated')}
          ${chain('start', 'call', 'end')}${chain('escalated', 'endEscalated')}`,
          ),
        '<bpmn:escalation id="X" escalationCode="UP"/>',
      ),
    );
    const parent = await engine.start('parent', {});
    const after = await engine.instance(parent.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'escalated', 'endEscalated']);
    const childTasks = await engine.tasks({ processId: 'child' });
    expect(childTasks.map((t) => t.state)).toEqual(['cancelled']);
    expect((await engine.instance(childTasks[0]!.instanceId)).status).toBe('terminated');
  });

  it('a called process that cannot start is an incident on the call activity; resolving calls it again', async () => {
    const { engine } = harness();
    const helper = (start: string) =>
      model('helper', `${start}${userTask('t')}${endEvent('e')}${chain('s', 't', 'e')}`, message('m', 'go'));
    await engine.deploy(helper(startEvent('s')));
    await engine.deploy(
      model(
        'parent',
        `${startEvent('start')}<bpmn:callActivity id="call" calledElement="helper"/>${userTask('after')}
        ${endEvent('end')}${chain('start', 'call', 'after', 'end')}`,
      ),
    );
    // The called process's latest version can only be started by its message.
    await engine.deploy(
      helper('<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>'),
    );
    const parent = await engine.start('parent');
    expect(parent.status).toBe('incident');
    expect(parent.incident).toMatchObject({ elementId: 'call', code: 'call.failed' });
    expect(parent.incident!.message).toMatch(/no none start event/);
    expect(await engine.tasks({ processId: 'helper' })).toEqual([]);
    // The sweep has nothing left to do for it (before, the follow-up failed on every sweep).
    await expect(engine.runDueJobs()).resolves.toBe(0);

    await engine.deploy(helper(startEvent('s')));
    expect((await engine.resolveIncident(parent.id)).status).toBe('active');
    const [task] = await engine.tasks({ processId: 'helper', state: 'open' });
    await engine.completeTask(task!.id, {});
    expect(openTaskIds(await engine.instance(parent.id))).toEqual(['after']);
  });

  it('a call cancelled while a sweep runs the same follow-up: the child ends once, neither fails', async () => {
    /** Reads of a called instance take a while, as a database's do: the two runs overlap. */
    class SlowReads extends MemoryStore {
      override async getInstance(id: string) {
        const record = await super.getInstance(id);
        await new Promise((resolve) => setTimeout(resolve, id.endsWith('-call') ? 20 : 1));
        return record;
      }
    }
    const engine = createEngine({ store: new SlowReads() });
    await engine.deploy(definitions(child));
    await engine.deploy(
      model(
        'parent',
        `${startEvent('start')}<bpmn:callActivity id="call" calledElement="child"/>
        <bpmn:boundaryEvent id="late" attachedToRef="call">${timer('timeDuration', 'PT1H')}</bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('lateEnd')}${chain('start', 'call', 'end')}${chain('late', 'lateEnd')}`,
      ),
    );
    const parent = await engine.start('parent', { variables: { x: 1 } });
    const late = (await engine.waits(parent.id)).find((w) => w.kind === 'timer')!;
    const fired = engine.fireTimer(late.id); // commits, then cancels the child (call.cancelled)
    await new Promise((resolve) => setTimeout(resolve, 2));
    const swept = engine.recover(); // finds the same outbox and cancels the child too
    const outcomes = await Promise.allSettled([fired, swept]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await engine.instance(parent.id)).status).toBe('completed');
    const children = (await engine.store.listInstances({ processId: 'child' })).map((r) => r.status);
    expect(children).toEqual(['terminated']);
  });

  describe('the version called', () => {
    /** A bundle (`main` calling `review`) deployed together, `review` with the task `reviewTask`. */
    const bundle = (reviewTask: string): string =>
      definitions(
        process(
          'main',
          `${startEvent('start')}${userTask('accept')}<bpmn:callActivity id="callReview" calledElement="review"/>
          ${endEvent('end')}${chain('start', 'accept', 'callReview', 'end')}`,
        ) +
          process(
            'review',
            `${startEvent('s')}${userTask(reviewTask)}${endEvent('e')}${chain('s', reviewTask, 'e')}`,
          ),
      );
    const calledTasks = async (engine: ReturnType<typeof createEngine>) =>
      (await engine.tasks({ processId: 'review', state: 'open' })).map((t) => t.elementId);

    it('a case calls the version deployed with it, not one deployed since', async () => {
      const engine = createEngine();
      const first = await engine.deploy(bundle('oldReview'));
      const running = await engine.start('main');
      await engine.deploy(bundle('newReview'));
      await engine.completeTask(running.openTasks[0]!.id);
      expect(await calledTasks(engine)).toEqual(['oldReview']);
      const [task] = await engine.tasks({ processId: 'review', state: 'open' });
      const called = await engine.instance(task!.instanceId);
      expect([called.version, called.deploymentId]).toEqual([1, first.id]);

      // A case started on the new deployment calls the new version.
      const fresh = await engine.start('main');
      await engine.completeTask(fresh.openTasks[0]!.id);
      expect((await calledTasks(engine)).sort()).toEqual(['newReview', 'oldReview']);
    });

    it('a call.started saved without the deployment (an outbox from before) calls the latest version', async () => {
      /** Saves call.started effects as an engine before the field did. */
      class OldOutbox extends MemoryStore {
        override async commit(...args: Parameters<MemoryStore['commit']>) {
          for (const effect of args[0].outbox) if (effect.type === 'call.started') delete effect.deploymentId;
          return super.commit(...args);
        }
      }
      const engine = createEngine({ store: new OldOutbox() });
      await engine.deploy(bundle('oldReview'));
      const running = await engine.start('main');
      await engine.deploy(bundle('newReview'));
      await engine.completeTask(running.openTasks[0]!.id);
      expect(await calledTasks(engine)).toEqual(['newReview']);
    });
  });
});
