import {
  chain,
  definitions,
  endEvent,
  model,
  process,
  startEvent,
  userTask,
  xmlEscape,
} from '../../testing/bpmn.js';
import { deployed, openTaskIds, path, timesCompleted } from '../../testing/harness.js';
import type { Task } from '../../api.js';

interface Loop {
  sequential?: boolean;
  collection?: string;
  elementVariable?: string;
  outputCollection?: string;
  outputElement?: string;
  cardinality?: string;
  completion?: string;
}

function loop(l: Loop): string {
  const a = [
    l.sequential !== undefined ? `isSequential="${l.sequential}"` : '',
    l.collection ? `gov:collection="${xmlEscape(l.collection)}"` : '',
    l.elementVariable ? `gov:elementVariable="${l.elementVariable}"` : '',
    l.outputCollection ? `gov:outputCollection="${l.outputCollection}"` : '',
    l.outputElement ? `gov:outputElement="${xmlEscape(l.outputElement)}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const card = l.cardinality
    ? `<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${xmlEscape(l.cardinality)}</bpmn:loopCardinality>`
    : '';
  const cond = l.completion
    ? `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${xmlEscape(l.completion)}</bpmn:completionCondition>`
    : '';
  return `<bpmn:multiInstanceLoopCharacteristics ${a}>${card}${cond}</bpmn:multiInstanceLoopCharacteristics>`;
}

function miModel(l: Loop, inner = 'userTask'): string {
  return model(
    'p',
    `
    ${startEvent('start')}
    <bpmn:${inner} id="review">${loop(l)}</bpmn:${inner}>
    ${userTask('after')}
    ${endEvent('end')}
    ${chain('start', 'review', 'after', 'end')}`,
  );
}

const reviewTasks = (tasks: Task[]): Task[] =>
  tasks.filter((t) => t.elementId === 'review').sort((a, b) => (a.loopCounter ?? 0) - (b.loopCounter ?? 0));

describe('multi-instance', () => {
  const five = ['police', 'tax', 'health', 'fire', 'social'];

  it('parallel over 5 elements with completion condition after 3: 2 remaining tasks cancelled, output collection kept', async () => {
    const { engine } = await deployed(
      miModel({
        collection: '= departments',
        elementVariable: 'dept',
        outputCollection: 'opinions',
        outputElement: '= opinion',
        completion: '= numberOfCompletedInstances >= 3',
      }),
    );
    const v = await engine.start('p', { variables: { departments: five } });
    const open = reviewTasks(v.openTasks);
    expect(open).toHaveLength(5);
    expect(open.map((t) => t.loopCounter)).toEqual([1, 2, 3, 4, 5]);
    expect(open.map((t) => t.inputElement)).toEqual(five);

    for (let i = 0; i < 2; i++) {
      const view = await engine.completeTask(open[i]!.id, {
        variables: { opinion: `ok-${open[i]!.inputElement}` },
      });
      expect(reviewTasks(view.openTasks)).toHaveLength(4 - i);
      expect(path(view)).not.toContain('review');
    }
    const view = await engine.completeTask(open[2]!.id, { variables: { opinion: 'ok-health' } });
    expect(reviewTasks(view.openTasks)).toHaveLength(0);
    expect(openTaskIds(view)).toEqual(['after']);
    expect(timesCompleted(view, 'review')).toBeGreaterThanOrEqual(1);
    const cancelled = await engine.tasks({ instanceId: v.id, elementId: 'review', state: 'cancelled' });
    expect(cancelled.map((t) => t.inputElement).sort()).toEqual(['fire', 'social']);
    const completed = await engine.tasks({ instanceId: v.id, elementId: 'review', state: 'completed' });
    expect(completed).toHaveLength(3);
    await expect(engine.completeTask(open[3]!.id, {})).rejects.toThrow();

    const opinions = view.variables['opinions'] as unknown[];
    expect(Array.isArray(opinions)).toBe(true);
    expect(opinions.filter((o) => o !== null && o !== undefined)).toEqual([
      'ok-police',
      'ok-tax',
      'ok-health',
    ]);
  });

  it('parallel, all complete in reverse order: the output collection follows the input order', async () => {
    const { engine } = await deployed(
      miModel({
        collection: '= departments',
        elementVariable: 'dept',
        outputCollection: 'opinions',
        outputElement: '= "seen by " + dept',
      }),
    );
    const v = await engine.start('p', { variables: { departments: ['a', 'b', 'c'] } });
    const open = reviewTasks(v.openTasks);
    let view = v;
    for (const t of [...open].reverse()) {
      expect(path(view)).not.toContain('review');
      view = await engine.completeTask(t.id, {});
    }
    expect(openTaskIds(view)).toEqual(['after']);
    expect(view.variables['opinions']).toEqual(['seen by a', 'seen by b', 'seen by c']);
  });

  it('sequential: one instance at a time, in collection order, with loopCounter and the element variable', async () => {
    const { engine } = await deployed(
      miModel({
        sequential: true,
        collection: '= applicants',
        elementVariable: 'applicant',
        outputCollection: 'scores',
        outputElement: '= score * loopCounter',
      }),
    );
    const v = await engine.start('p', { variables: { applicants: ['Li', 'Wang', 'Zhang'] } });
    let view = v;
    for (let i = 0; i < 3; i++) {
      const open = reviewTasks(view.openTasks);
      expect(open).toHaveLength(1);
      expect(open[0]!.loopCounter).toBe(i + 1);
      expect(open[0]!.inputElement).toBe(['Li', 'Wang', 'Zhang'][i]);
      view = await engine.completeTask(open[0]!.id, { variables: { score: 10 } });
    }
    expect(openTaskIds(view)).toEqual(['after']);
    expect(view.variables['scores']).toEqual([10, 20, 30]);
    expect(timesCompleted(view, 'review')).toBeGreaterThanOrEqual(1);
  });

  it('sequential with a completion condition stops early and never opens the rest', async () => {
    const { engine } = await deployed(
      miModel({
        sequential: true,
        collection: '= [1, 2, 3, 4]',
        elementVariable: 'n',
        completion: '= found = true',
      }),
    );
    const v = await engine.start('p', { variables: { found: false } });
    let view = await engine.completeTask(reviewTasks(v.openTasks)[0]!.id, { variables: { found: false } });
    view = await engine.completeTask(reviewTasks(view.openTasks)[0]!.id, { variables: { found: true } });
    expect(openTaskIds(view)).toEqual(['after']);
    expect(await engine.tasks({ instanceId: v.id, elementId: 'review' })).toHaveLength(2);
  });

  it('loopCardinality without a collection creates that many instances', async () => {
    const { engine } = await deployed(miModel({ cardinality: '= copies' }));
    const v = await engine.start('p', { variables: { copies: 3 } });
    expect(reviewTasks(v.openTasks).map((t) => t.loopCounter)).toEqual([1, 2, 3]);
  });

  it('an empty collection completes the activity at once with an empty output collection', async () => {
    const { engine } = await deployed(
      miModel({
        collection: '= items',
        elementVariable: 'item',
        outputCollection: 'results',
        outputElement: '= item',
      }),
    );
    const v = await engine.start('p', { variables: { items: [] } });
    expect(openTaskIds(v)).toEqual(['after']);
    expect(v.variables['results']).toEqual([]);
  });

  it('multi-instance service task: each job sees its element; results collected', async () => {
    const h = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:serviceTask id="notify" gov:type="sms">${loop({
          collection: '= phones',
          elementVariable: 'phone',
          outputCollection: 'receipts',
          outputElement: '= receipt',
        })}</bpmn:serviceTask>
        ${endEvent('end')}
        ${chain('start', 'notify', 'end')}`,
      ),
      { sms: (job) => ({ receipt: `sent:${String(job.variables['phone'])}` }) },
    );
    const v = await h.engine.start('p', { variables: { phones: ['138', '139'] } });
    expect(await h.engine.runDueJobs(h.clock.now())).toBe(2);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(after.variables['receipts']).toEqual(['sent:138', 'sent:139']);
  });

  it('multi-instance embedded sub-process runs one inner flow per element', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:subProcess id="perItem">${loop({ collection: '= items', elementVariable: 'item' })}
        ${startEvent('iStart')}${userTask('handle')}${endEvent('iEnd')}
        ${chain('iStart', 'handle', 'iEnd')}
      </bpmn:subProcess>
      ${endEvent('end')}
      ${chain('start', 'perItem', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { items: ['x', 'y'] } });
    expect(v.openTasks.map((t) => t.elementId)).toEqual(['handle', 'handle']);
    let view = v;
    for (const t of v.openTasks) view = await engine.completeTask(t.id, {});
    expect(view.status).toBe('completed');
    expect(timesCompleted(view, 'handle')).toBe(2);
  });

  it('a collection that is not a list gives an incident naming the activity', async () => {
    const { engine } = await deployed(miModel({ collection: '= departments', elementVariable: 'd' }));
    const v = await engine.start('p', { variables: { departments: 42 } });
    expect(v.status).toBe('incident');
    expect(v.incident?.elementId).toBe('review');
  });

  it('an interrupting boundary timer on a parallel multi-instance cancels every open instance', async () => {
    const h = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:userTask id="review">${loop({ collection: '= [1, 2, 3]', elementVariable: 'n' })}</bpmn:userTask>
        <bpmn:boundaryEvent id="deadline" attachedToRef="review">
          <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('late')}
        ${chain('start', 'review', 'end')}${chain('deadline', 'late')}`,
      ),
    );
    const v = await h.engine.start('p', {});
    await h.engine.completeTask(reviewTasks(v.openTasks)[0]!.id, {});
    expect(await h.tick(60 * 60 * 1000)).toBe(1);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(after.openTasks).toEqual([]);
    expect(path(after)).toContain('late');
    expect(path(after)).not.toContain('end');
    expect(await h.engine.tasks({ instanceId: v.id, state: 'cancelled' })).toHaveLength(2);
  });

  it('a BPMN error thrown from one instance is caught by the boundary on the multi-instance activity', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:userTask id="review">${loop({ collection: '= ["a", "b", "c"]', elementVariable: 'x' })}</bpmn:userTask>
        <bpmn:boundaryEvent id="rejected" attachedToRef="review"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('endRejected')}
        ${chain('start', 'review', 'end')}${chain('rejected', 'endRejected')}`,
        '<bpmn:error id="E" errorCode="REJECTED"/>',
      ),
    );
    const v = await engine.start('p', {});
    const tasks = reviewTasks(v.openTasks);
    await engine.throwError(tasks[1]!.id, { errorCode: 'REJECTED' });
    const after = await engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toContain('endRejected');
    expect(await engine.tasks({ instanceId: v.id, state: 'open' })).toEqual([]);
  });

  it('multi-instance call activity starts one child per element', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'child',
          `${startEvent('cs')}${userTask('childTask')}${endEvent('ce')}${chain('cs', 'childTask', 'ce')}`,
        ) +
          process(
            'p',
            `
        ${startEvent('start')}
        <bpmn:callActivity id="review" calledElement="child">${loop({ collection: '= ["x", "y"]', elementVariable: 'item' })}</bpmn:callActivity>
        ${endEvent('end')}
        ${chain('start', 'review', 'end')}`,
          ),
      ),
    );
    const v = await engine.start('p', {});
    const children = await engine.tasks({ processId: 'child', state: 'open' });
    expect(children).toHaveLength(2);
    expect(new Set(children.map((t) => t.instanceId)).size).toBe(2);
    for (const t of children) await engine.completeTask(t.id, {});
    expect((await engine.instance(v.id)).status).toBe('completed');
  });

  it('a parallel multi-instance over 500 elements stays fast (hot path, no quadratic blow-up)', async () => {
    const { engine } = await deployed(
      miModel({
        collection: '= items',
        elementVariable: 'item',
        outputCollection: 'out',
        outputElement: '= item * 2',
      }),
    );
    const items = Array.from({ length: 500 }, (_, i) => i);
    const t = Date.now();
    const v = await engine.start('p', { variables: { items } });
    expect(v.openTasks).toHaveLength(500);
    let view = v;
    for (const task of v.openTasks) view = await engine.completeTask(task.id, {});
    expect(openTaskIds(view)).toEqual(['after']);
    expect(view.variables['out']).toEqual(items.map((i) => i * 2));
    expect(Date.now() - t).toBeLessThan(10_000);
  });

  it('the completion condition sees numberOfInstances and numberOfActiveInstances', async () => {
    const { engine } = await deployed(
      miModel({
        collection: '= [1, 2, 3, 4]',
        elementVariable: 'n',
        completion: '= numberOfCompletedInstances / numberOfInstances >= 0.5 and numberOfActiveInstances = 2',
      }),
    );
    const v = await engine.start('p', {});
    const open = reviewTasks(v.openTasks);
    let view = await engine.completeTask(open[0]!.id, {});
    expect(reviewTasks(view.openTasks)).toHaveLength(3);
    view = await engine.completeTask(open[1]!.id, {});
    expect(reviewTasks(view.openTasks)).toHaveLength(0);
    expect(openTaskIds(view)).toEqual(['after']);
  });

  it('cancel() during a parallel multi-instance cancels every instance task', async () => {
    const { engine } = await deployed(miModel({ collection: '= [1, 2, 3]', elementVariable: 'n' }));
    const v = await engine.start('p', {});
    const done = await engine.cancel(v.id);
    expect(done.status).toBe('terminated');
    const tasks = await engine.tasks({ instanceId: v.id });
    expect(tasks.map((t) => t.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('a non-interrupting boundary timer on a multi-instance activity fires once for the whole body', async () => {
    const h = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:userTask id="review">${loop({ collection: '= [1, 2, 3]', elementVariable: 'n' })}</bpmn:userTask>
        <bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">
          <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('reminded')}
        ${chain('start', 'review', 'end')}${chain('remind', 'reminded')}`,
      ),
    );
    const v = await h.engine.start('p', {});
    expect(await h.tick(60 * 60 * 1000)).toBe(1);
    const view = await h.engine.instance(v.id);
    expect(timesCompleted(view, 'reminded')).toBe(1);
    expect(reviewTasks(view.openTasks)).toHaveLength(3);
  });

  it('a multi-instance inside a sub-process: an error from one instance reaches the sub-process boundary', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:subProcess id="sub">
          ${startEvent('ss')}
          <bpmn:userTask id="review">${loop({ collection: '= [1, 2]', elementVariable: 'n' })}</bpmn:userTask>
          ${endEvent('se')}
          ${chain('ss', 'review', 'se')}
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="failed" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('endFailed')}
        ${chain('start', 'sub', 'end')}${chain('failed', 'endFailed')}`,
        '<bpmn:error id="E" errorCode="NO"/>',
      ),
    );
    const v = await engine.start('p', {});
    await engine.throwError(reviewTasks(v.openTasks)[0]!.id, { errorCode: 'NO' });
    const after = await engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toContain('endFailed');
    expect(await engine.tasks({ instanceId: v.id, state: 'open' })).toEqual([]);
  });

  it('loop variables (element variable, loopCounter) stay inside the instances and do not leak to the process', async () => {
    const { engine } = await deployed(miModel({ collection: '= ["a", "b"]', elementVariable: 'dept' }));
    const v = await engine.start('p', {});
    let view = v;
    for (const t of reviewTasks(v.openTasks)) view = await engine.completeTask(t.id, {});
    expect(openTaskIds(view)).toEqual(['after']);
    expect(view.variables).not.toHaveProperty('dept');
    expect(view.variables).not.toHaveProperty('loopCounter');
    expect(view.variables).not.toHaveProperty('numberOfInstances');
  });

  it('a sequential multi-instance keeps one boundary timer for the body (not restarted per iteration)', async () => {
    const h = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:userTask id="review">${loop({ sequential: true, collection: '= [1, 2, 3]', elementVariable: 'n' })}</bpmn:userTask>
        <bpmn:boundaryEvent id="deadline" attachedToRef="review">
          <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('late')}
        ${chain('start', 'review', 'end')}${chain('deadline', 'late')}`,
      ),
    );
    const v = await h.engine.start('p', {});
    h.clock.advance(30 * 60 * 1000);
    const second = await h.engine.completeTask(reviewTasks(v.openTasks)[0]!.id, {});
    expect(reviewTasks(second.openTasks)[0]!.loopCounter).toBe(2);
    expect(await h.tick(30 * 60 * 1000)).toBe(1);
    const after = await h.engine.instance(v.id);
    expect(path(after)).toContain('late');
    expect(after.openTasks).toEqual([]);
  });

  it('a non-interrupting message boundary on a multi-instance body runs once per message', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:userTask id="review">${loop({ collection: '= [1, 2, 3]', elementVariable: 'n' })}</bpmn:userTask>
        <bpmn:boundaryEvent id="nudge" attachedToRef="review" cancelActivity="false"><bpmn:messageEventDefinition messageRef="M"/></bpmn:boundaryEvent>
        ${endEvent('end')}${endEvent('nudged')}
        ${chain('start', 'review', 'end')}${chain('nudge', 'nudged')}`,
        '<bpmn:message id="M" name="nudge"/>',
      ),
    );
    const v = await engine.start('p', { businessKey: 'N' });
    await engine.correlate('nudge', { correlationKey: 'N' });
    expect(timesCompleted(await engine.instance(v.id), 'nudged')).toBe(1);
    await engine.correlate('nudge', { correlationKey: 'N' });
    expect(timesCompleted(await engine.instance(v.id), 'nudged')).toBe(2);
  });

  describe('a completion condition that fails (an incident)', () => {
    for (const sequential of [true, false]) {
      it(`${sequential ? 'sequential' : 'parallel'}: the activity waits, and resolving counts the instance once and goes on`, async () => {
        const { engine } = await deployed(
          miModel({ sequential, cardinality: '3', completion: '= numberOfCompletedInstances > limit' }),
        );
        let v = await engine.start('p');
        v = await engine.completeTask(reviewTasks(v.openTasks)[0]!.id, {});
        expect(v.status).toBe('incident');
        expect(v.incident).toMatchObject({ elementId: 'review' });
        // Before, a sequential one left the activity at once, and resolving completed `after` unasked.
        expect(openTaskIds(v)).not.toContain('after');
        v = await engine.resolveIncident(v.id, { variables: { limit: 5 } });
        expect(v.status).toBe('active');
        for (let i = 0; i < 3 && reviewTasks(v.openTasks).length; i++)
          v = await engine.completeTask(reviewTasks(v.openTasks)[0]!.id, {});
        expect(openTaskIds(v)).toEqual(['after']);
        expect(timesCompleted(v, 'review')).toBe(1);
        const completions = v.history.filter(
          (h) => h.type === 'iteration.completed' && h.elementId === 'review',
        );
        expect(completions).toHaveLength(3);
      });
    }
  });
});
