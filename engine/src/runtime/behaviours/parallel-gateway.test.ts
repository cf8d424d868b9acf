import { chain, endEvent, model, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, openTaskIds, path, timesCompleted } from '../../testing/harness.js';

const xml = model(
  'p',
  `
  ${startEvent('start')}
  <bpmn:parallelGateway id="fork"/>
  ${userTask('police', { department: 'police' })}
  ${userTask('tax', { department: 'tax' })}
  ${userTask('health', { department: 'health' })}
  <bpmn:parallelGateway id="join"/>
  ${userTask('deliver')}
  ${endEvent('end')}
  ${chain('start', 'fork')}
  ${chain('fork', 'police', 'join')}
  ${chain('fork', 'tax', 'join')}
  ${chain('fork', 'health', 'join')}
  ${chain('join', 'deliver', 'end')}`,
);

describe('parallel gateway', () => {
  it('fork opens every branch; join waits for all of them and fires once', async () => {
    const { engine } = await deployed(xml);
    const v = await engine.start('p', {});
    expect(openTaskIds(v)).toEqual(['health', 'police', 'tax']);
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));

    let view = await engine.completeTask(byEl['tax']!, { variables: { tax: 'ok' } });
    expect(openTaskIds(view)).toEqual(['health', 'police']);
    expect(path(view)).not.toContain('join');
    view = await engine.completeTask(byEl['police']!, { variables: { police: 'ok' } });
    expect(path(view)).not.toContain('join');
    expect(openTaskIds(view)).toEqual(['health']);
    view = await engine.completeTask(byEl['health']!, { variables: { health: 'ok' } });
    expect(openTaskIds(view)).toEqual(['deliver']);
    expect(timesCompleted(view, 'join')).toBe(1);
    expect(view.variables).toMatchObject({ tax: 'ok', police: 'ok', health: 'ok' });
    const p = path(view);
    expect(p.indexOf('join')).toBeGreaterThan(p.indexOf('health'));
    expect(p.slice(0, 2)).toEqual(['start', 'fork']);
  });

  it('fork with no waiting branches completes straight through the join', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
      ${endEvent('end')}
      <bpmn:intermediateThrowEvent id="x"/><bpmn:intermediateThrowEvent id="y"/>
      ${chain('start', 'fork')}${chain('fork', 'x', 'join')}${chain('fork', 'y', 'join')}${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('completed');
    expect(timesCompleted(v, 'join')).toBe(1);
    expect(timesCompleted(v, 'end')).toBe(1);
  });

  it('two instances do not share join bookkeeping', async () => {
    const { engine } = await deployed(xml);
    const a = await engine.start('p', {});
    const b = await engine.start('p', {});
    for (const t of a.openTasks.filter((t) => t.elementId !== 'health')) await engine.completeTask(t.id, {});
    for (const t of b.openTasks.filter((t) => t.elementId !== 'police')) await engine.completeTask(t.id, {});
    expect(path(await engine.instance(a.id))).not.toContain('join');
    expect(path(await engine.instance(b.id))).not.toContain('join');
  });

  it('a mixed gateway (two in, two out) joins first, then forks', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:parallelGateway id="fork"/>${userTask('a')}${userTask('b')}
      <bpmn:parallelGateway id="mixed"/>${userTask('c')}${userTask('d')}
      <bpmn:parallelGateway id="join"/>${endEvent('end')}
      ${chain('start', 'fork')}${chain('fork', 'a', 'mixed')}${chain('fork', 'b', 'mixed')}
      ${chain('mixed', 'c', 'join')}${chain('mixed', 'd', 'join')}${chain('join', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    const byEl = Object.fromEntries(v.openTasks.map((t) => [t.elementId, t.id]));
    let view = await engine.completeTask(byEl['a']!, {});
    expect(openTaskIds(view)).toEqual(['b']);
    view = await engine.completeTask(byEl['b']!, {});
    expect(openTaskIds(view)).toEqual(['c', 'd']);
    expect(timesCompleted(view, 'mixed')).toBe(1);
    for (const t of view.openTasks) view = await engine.completeTask(t.id, {});
    expect(view.status).toBe('completed');
  });
});
