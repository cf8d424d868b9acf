import { chain, endEvent, flow, model, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

const routed = model(
  'route',
  `
  ${startEvent('start')}
  <bpmn:exclusiveGateway id="amountCheck" default="toNormal"/>
  ${userTask('director')}${userTask('manager')}${userTask('clerk')}
  <bpmn:exclusiveGateway id="merge"/>
  ${endEvent('end')}
  ${chain('start', 'amountCheck')}
  ${flow('amountCheck', 'director', '= amount > 10000')}
  ${flow('amountCheck', 'manager', 'amount > 100')}
  ${flow('amountCheck', 'clerk', undefined, 'toNormal')}
  ${flow('director', 'merge')}${flow('manager', 'merge')}${flow('clerk', 'merge')}
  ${chain('merge', 'end')}`,
);

describe('exclusive gateway', () => {
  it.each([
    [50000, 'director'],
    [500, 'manager'],
    [5, 'clerk'],
  ])('amount %p goes to %s (first matching condition in order, else default)', async (amount, expected) => {
    const { engine } = await deployed(routed);
    const v = await engine.start('route', { variables: { amount } });
    expect(v.openTasks.map((t) => t.elementId)).toEqual([expected]);
    const done = await engine.completeTask(v.openTasks[0]!.id, {});
    expect(done.status).toBe('completed');
    expect(path(done)).toEqual(['start', 'amountCheck', expected, 'merge', 'end']);
    const taken = done.history.filter((e) => e.type === 'flow.taken').map((e) => e.elementId);
    if (expected === 'clerk') expect(taken).toContain('toNormal');
  });

  it('no condition true and no default: incident naming the gateway, no crash', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="gw"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}
      ${flow('gw', 'a', '= x = 1')}
      ${flow('gw', 'b', '= x = 2')}`,
      ),
    );
    const v = await engine.start('p', { variables: { x: 3 } });
    expect(v.status).toBe('incident');
    expect(v.incident).toMatchObject({ elementId: 'gw' });
    expect(v.incident!.message.length).toBeGreaterThan(0);
    // the engine still serves other instances
    const ok = await engine.start('p', { variables: { x: 2 } });
    expect(ok.status).toBe('completed');
    expect(path(ok)).toEqual(['start', 'gw', 'b']);
  });

  it('FEEL runtime error (condition not boolean: missing variable → null) gives an incident naming the element', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="gw"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}
      ${flow('gw', 'a', '= amount > 100', 'bigFlow')}
      ${flow('gw', 'b', '= amount <= 100', 'smallFlow')}`,
      ),
    );
    const v = await engine.start('p', { variables: {} });
    expect(v.status).toBe('incident');
    expect(['gw', 'bigFlow']).toContain(v.incident!.elementId);
    expect(path(v)).not.toContain('a');
    expect(path(v)).not.toContain('b');
  });

  it('a condition evaluating to a non-boolean value (a string) is an incident, not "truthy"', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="gw" default="other"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}
      ${flow('gw', 'a', '= decision', 'byDecision')}
      ${flow('gw', 'b', undefined, 'other')}`,
      ),
    );
    const v = await engine.start('p', { variables: { decision: 'yes' } });
    expect(v.status).toBe('incident');
    expect(['gw', 'byDecision']).toContain(v.incident!.elementId);
  });

  it('a single unconditional outgoing flow just passes through', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}<bpmn:exclusiveGateway id="gw"/>${endEvent('end')}
      ${chain('start', 'gw', 'end')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('completed');
  });
});
