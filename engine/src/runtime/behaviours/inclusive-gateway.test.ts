import { chain, endEvent, flow, model, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, openTaskIds, path, timesCompleted } from '../../testing/harness.js';

/** One inclusive split over three conditional branches, joined by one inclusive join. */
const threeWay = model(
  'p',
  `
  ${startEvent('start')}
  <bpmn:inclusiveGateway id="split" default="toNone"/>
  ${userTask('a')}${userTask('b')}${userTask('c')}${userTask('none')}
  <bpmn:inclusiveGateway id="join"/>
  ${userTask('after')}
  ${endEvent('end')}
  ${chain('start', 'split')}
  ${flow('split', 'a', '= needA')}
  ${flow('split', 'b', '= needB')}
  ${flow('split', 'c', '= needC')}
  ${flow('split', 'none', undefined, 'toNone')}
  ${chain('a', 'join')}${chain('b', 'join')}${chain('c', 'join')}${chain('none', 'join')}
  ${chain('join', 'after', 'end')}`,
);

describe('inclusive gateway', () => {
  it('split takes every true branch (2 of 3); the join waits only for those two', async () => {
    const { engine } = await deployed(threeWay);
    const v = await engine.start('p', { variables: { needA: true, needB: false, needC: true } });
    expect(openTaskIds(v)).toEqual(['a', 'c']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));

    const afterA = await engine.completeTask(byEl['a']!, {});
    expect(afterA.status).toBe('active');
    expect(path(afterA)).not.toContain('join');
    expect(openTaskIds(afterA)).toEqual(['c']);

    const afterC = await engine.completeTask(byEl['c']!, {});
    expect(timesCompleted(afterC, 'join')).toBe(1);
    expect(openTaskIds(afterC)).toEqual(['after']);
    expect(path(afterC)).not.toContain('b');
    expect(path(afterC)).not.toContain('none');
  });

  it('all three true: the join waits for all three', async () => {
    const { engine } = await deployed(threeWay);
    const v = await engine.start('p', { variables: { needA: true, needB: true, needC: true } });
    expect(openTaskIds(v)).toEqual(['a', 'b', 'c']);
    let view = v;
    for (const t of v.openTasks) {
      expect(path(view)).not.toContain('join');
      view = await engine.completeTask(t.id, {});
    }
    expect(timesCompleted(view, 'join')).toBe(1);
    expect(openTaskIds(view)).toEqual(['after']);
  });

  it('none true: only the default flow is taken, and the join passes its single token', async () => {
    const { engine } = await deployed(threeWay);
    const v = await engine.start('p', { variables: { needA: false, needB: false, needC: false } });
    expect(openTaskIds(v)).toEqual(['none']);
    const view = await engine.completeTask(v.openTasks[0]!.id, {});
    expect(openTaskIds(view)).toEqual(['after']);
  });

  it('none true and no default: incident naming the split', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:inclusiveGateway id="split"/>
      ${endEvent('x')}${endEvent('y')}
      ${chain('start', 'split')}
      ${flow('split', 'x', '= false')}
      ${flow('split', 'y', '= 1 > 2')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('incident');
    expect(v.incident?.elementId).toBe('split');
  });

  it('the join does not fire early when one fired branch has no wait state and another is still running', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:inclusiveGateway id="split"/>
      <bpmn:intermediateThrowEvent id="quick"/>
      ${userTask('slow')}
      ${userTask('never')}
      <bpmn:inclusiveGateway id="join"/>
      ${endEvent('end')}
      ${chain('start', 'split')}
      ${flow('split', 'quick', '= true')}
      ${flow('split', 'slow', '= true')}
      ${flow('split', 'never', '= false')}
      ${chain('quick', 'join')}${chain('slow', 'join')}${chain('never', 'join')}
      ${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('active');
    expect(path(v)).toContain('quick');
    expect(path(v)).not.toContain('join');
    expect(openTaskIds(v)).toEqual(['slow']);
    const done = await engine.completeTask(v.openTasks[0]!.id, {});
    expect(done.status).toBe('completed');
    expect(timesCompleted(done, 'join')).toBe(1);
    expect(timesCompleted(done, 'end')).toBe(1);
  });

  /**
   * outer split ─┬─(a)→ inner split ─┬─(a1)→ x1 ─┐
   *              │                   └─(a2)→ x2 ─┴→ inner join ─┐
   *              ├─(b)→ y ──────────────────────────────────────┤→ outer join → after
   *              └─(c)→ z ──────────────────────────────────────┘
   */
  const nested = model(
    'p',
    `
    ${startEvent('start')}
    <bpmn:inclusiveGateway id="outerSplit"/>
    <bpmn:inclusiveGateway id="innerSplit"/>
    ${userTask('x1')}${userTask('x2')}${userTask('y')}${userTask('z')}
    <bpmn:inclusiveGateway id="innerJoin"/>
    <bpmn:inclusiveGateway id="outerJoin"/>
    ${userTask('after')}
    ${endEvent('end')}
    ${chain('start', 'outerSplit')}
    ${flow('outerSplit', 'innerSplit', '= a')}
    ${flow('outerSplit', 'y', '= b')}
    ${flow('outerSplit', 'z', '= c')}
    ${flow('innerSplit', 'x1', '= a1')}
    ${flow('innerSplit', 'x2', '= a2')}
    ${chain('x1', 'innerJoin')}${chain('x2', 'innerJoin')}
    ${chain('innerJoin', 'outerJoin')}${chain('y', 'outerJoin')}${chain('z', 'outerJoin')}
    ${chain('outerJoin', 'after', 'end')}`,
  );

  it('nested splits: outer join waits for the token still inside the inner split/join', async () => {
    const { engine } = await deployed(nested);
    const v = await engine.start('p', { variables: { a: true, b: true, c: false, a1: true, a2: false } });
    expect(openTaskIds(v)).toEqual(['x1', 'y']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));

    const afterY = await engine.completeTask(byEl['y']!, {});
    expect(path(afterY)).not.toContain('outerJoin');
    expect(openTaskIds(afterY)).toEqual(['x1']);

    const afterX1 = await engine.completeTask(byEl['x1']!, {});
    expect(timesCompleted(afterX1, 'innerJoin')).toBe(1);
    expect(timesCompleted(afterX1, 'outerJoin')).toBe(1);
    const p = path(afterX1);
    expect(p.indexOf('innerJoin')).toBeLessThan(p.indexOf('outerJoin'));
    expect(openTaskIds(afterX1)).toEqual(['after']);
  });

  it('nested splits: both inner branches fire; inner join waits for both, outer join then for z', async () => {
    const { engine } = await deployed(nested);
    const v = await engine.start('p', { variables: { a: true, b: false, c: true, a1: true, a2: true } });
    expect(openTaskIds(v)).toEqual(['x1', 'x2', 'z']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));

    let view = await engine.completeTask(byEl['x1']!, {});
    expect(path(view)).not.toContain('innerJoin');
    view = await engine.completeTask(byEl['x2']!, {});
    expect(timesCompleted(view, 'innerJoin')).toBe(1);
    expect(path(view)).not.toContain('outerJoin');
    expect(openTaskIds(view)).toEqual(['z']);
    view = await engine.completeTask(byEl['z']!, {});
    expect(timesCompleted(view, 'outerJoin')).toBe(1);
    expect(openTaskIds(view)).toEqual(['after']);
  });

  it('nested splits: inner branch finishes first; outer join still waits for y', async () => {
    const { engine } = await deployed(nested);
    const v = await engine.start('p', { variables: { a: true, b: true, c: false, a1: false, a2: true } });
    expect(openTaskIds(v)).toEqual(['x2', 'y']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    let view = await engine.completeTask(byEl['x2']!, {});
    expect(timesCompleted(view, 'innerJoin')).toBe(1);
    expect(path(view)).not.toContain('outerJoin');
    expect(openTaskIds(view)).toEqual(['y']);
    view = await engine.completeTask(byEl['y']!, {});
    expect(timesCompleted(view, 'outerJoin')).toBe(1);
    expect(openTaskIds(view)).toEqual(['after']);
  });

  it('the join waits for a token still inside an embedded sub-process on one branch', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:inclusiveGateway id="split"/>
      <bpmn:subProcess id="sub">
        ${startEvent('subStart')}${userTask('inner')}${endEvent('subEnd')}
        ${chain('subStart', 'inner', 'subEnd')}
      </bpmn:subProcess>
      ${userTask('direct')}
      <bpmn:inclusiveGateway id="join"/>
      ${endEvent('end')}
      ${chain('start', 'split')}
      ${flow('split', 'sub', '= true')}
      ${flow('split', 'direct', '= true')}
      ${chain('sub', 'join')}${chain('direct', 'join')}
      ${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(openTaskIds(v)).toEqual(['direct', 'inner']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    const afterDirect = await engine.completeTask(byEl['direct']!, {});
    expect(path(afterDirect)).not.toContain('join');
    expect(afterDirect.status).toBe('active');
    const done = await engine.completeTask(byEl['inner']!, {});
    expect(timesCompleted(done, 'join')).toBe(1);
    expect(done.status).toBe('completed');
  });

  it('the join waits for a token that may still arrive through a boundary-event path', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:inclusiveGateway id="split"/>
      ${userTask('guarded')}
      <bpmn:boundaryEvent id="late" attachedToRef="guarded">
        <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:boundaryEvent>
      ${userTask('plain')}
      <bpmn:inclusiveGateway id="join"/>
      ${endEvent('end')}
      ${chain('start', 'split')}
      ${flow('split', 'guarded', '= true')}
      ${flow('split', 'plain', '= true')}
      ${chain('guarded', 'join')}${chain('late', 'join')}${chain('plain', 'join')}
      ${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    const afterPlain = await engine.completeTask(byEl['plain']!, {});
    expect(path(afterPlain)).not.toContain('join');
    const done = await engine.completeTask(byEl['guarded']!, {});
    expect(timesCompleted(done, 'join')).toBe(1);
    expect(done.status).toBe('completed');
  });

  it('an inclusive join that is not preceded by a split merges a single token', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="choose" default="choose_b"/>
      ${userTask('a')}${userTask('b')}
      <bpmn:inclusiveGateway id="join"/>
      ${endEvent('end')}
      ${chain('start', 'choose')}
      ${flow('choose', 'a', '= pickA')}
      ${flow('choose', 'b', undefined, 'choose_b')}
      ${chain('a', 'join')}${chain('b', 'join')}${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { pickA: true } });
    const done = await engine.completeTask(v.openTasks[0]!.id, {});
    expect(done.status).toBe('completed');
    expect(timesCompleted(done, 'join')).toBe(1);
  });

  it('an inclusive split/join inside a loop works again on the second round', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="loopIn"/>
      <bpmn:inclusiveGateway id="split"/>
      ${userTask('a')}${userTask('b')}
      <bpmn:inclusiveGateway id="join"/>
      <bpmn:exclusiveGateway id="again" default="again_done"/>
      ${endEvent('end')}
      ${chain('start', 'loopIn', 'split')}
      ${flow('split', 'a', '= true')}
      ${flow('split', 'b', '= round = 1')}
      ${chain('a', 'join')}${chain('b', 'join')}${chain('join', 'again')}
      ${flow('again', 'loopIn', '= round < 3')}
      ${flow('again', 'end', undefined, 'again_done')}`,
      ),
    );
    const v = await engine.start('p', { variables: { round: 1 } });
    expect(openTaskIds(v)).toEqual(['a', 'b']);
    let view = v;
    for (const t of v.openTasks) view = await engine.completeTask(t.id, { variables: { round: 2 } });
    // round 2: only a
    expect(openTaskIds(view)).toEqual(['a']);
    expect(timesCompleted(view, 'join')).toBe(1);
    view = await engine.completeTask(view.openTasks[0]!.id, { variables: { round: 3 } });
    expect(view.status).toBe('completed');
    expect(timesCompleted(view, 'join')).toBe(2);
  });

  it('the join also waits for a token from a parallel branch that started before the split', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:parallelGateway id="fork"/>
      ${userTask('early')}
      <bpmn:inclusiveGateway id="split"/>
      ${userTask('a')}${userTask('b')}
      <bpmn:inclusiveGateway id="join"/>
      ${endEvent('end')}
      ${chain('start', 'fork')}
      ${chain('fork', 'early', 'join')}
      ${chain('fork', 'split')}
      ${flow('split', 'a', '= true')}
      ${flow('split', 'b', '= false')}
      ${chain('a', 'join')}${chain('b', 'join')}
      ${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(openTaskIds(v)).toEqual(['a', 'early']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    const afterA = await engine.completeTask(byEl['a']!, {});
    expect(path(afterA)).not.toContain('join');
    const done = await engine.completeTask(byEl['early']!, {});
    expect(timesCompleted(done, 'join')).toBe(1);
    expect(done.status).toBe('completed');
  });

  it('a mixed inclusive gateway joins the fired branches, then splits by its own conditions', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:inclusiveGateway id="split"/>${userTask('a')}${userTask('b')}
      <bpmn:inclusiveGateway id="mixed"/>${userTask('c')}${userTask('d')}
      <bpmn:inclusiveGateway id="join"/>${endEvent('end')}
      ${chain('start', 'split')}${flow('split', 'a', '= true')}${flow('split', 'b', '= true')}
      ${chain('a', 'mixed')}${chain('b', 'mixed')}
      ${flow('mixed', 'c', '= wantC')}${flow('mixed', 'd', '= wantD')}
      ${chain('c', 'join')}${chain('d', 'join')}${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { wantC: true, wantD: false } });
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    let view = await engine.completeTask(byEl['a']!, {});
    expect(openTaskIds(view)).toEqual(['b']);
    view = await engine.completeTask(byEl['b']!, {});
    expect(openTaskIds(view)).toEqual(['c']);
    expect(timesCompleted(view, 'mixed')).toBe(1);
    view = await engine.completeTask(view.openTasks[0]!.id, {});
    expect(view.status).toBe('completed');
  });

  it('a joining gateway whose split finds no path: resolving joins again and splits by the new values', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
        ${startEvent('start')}
        <bpmn:parallelGateway id="fork"/>
        <bpmn:task id="a"/><bpmn:task id="b"/>
        <bpmn:inclusiveGateway id="join"/>
        ${userTask('x')}${userTask('y')}
        ${endEvent('end')}
        ${chain('start', 'fork')}${flow('fork', 'a')}${flow('fork', 'b')}
        ${flow('a', 'join')}${flow('b', 'join')}
        ${flow('join', 'x', '= go = 1')}${flow('join', 'y', '= go = 2')}
        ${flow('x', 'end')}${flow('y', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { go: 0 } });
    expect(v.status).toBe('incident');
    expect(v.incident).toMatchObject({ elementId: 'join', code: 'gateway.noPath' });
    const resolved = await engine.resolveIncident(v.id, { variables: { go: 1 } });
    expect(resolved.status).toBe('active');
    expect(openTaskIds(resolved)).toEqual(['x']);
    const done = await engine.completeTask(resolved.openTasks[0]!.id, {});
    expect(done.status).toBe('completed');
  });
});
