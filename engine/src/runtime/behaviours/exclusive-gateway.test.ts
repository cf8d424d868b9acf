import { chain, endEvent, flow, model, startEvent, userTask } from '../../testing/bpmn.js';
import { ValidationError } from '../../index.js';
import { deployed, harness, path } from '../../testing/harness.js';

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

  it('conditions with surrounding whitespace and newlines are read the same', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      <bpmn:exclusiveGateway id="gw" default="gw_b"/>
      ${endEvent('a')}${endEvent('b')}
      ${chain('start', 'gw')}
      <bpmn:sequenceFlow id="gw_a" sourceRef="gw" targetRef="a">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">
          = amount &gt; 100
        </bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      ${flow('gw', 'b', undefined, 'gw_b')}`,
      ),
    );
    expect(path(await engine.start('p', { variables: { amount: 500 } }))).toEqual(['start', 'gw', 'a']);
    expect(path(await engine.start('p', { variables: { amount: 5 } }))).toEqual(['start', 'gw', 'b']);
  });

  it('a loop through an exclusive gateway runs as many rounds as the data says', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}${userTask('attempt')}
      <bpmn:exclusiveGateway id="again" default="again_done"/>
      ${endEvent('end')}
      ${chain('start', 'attempt', 'again')}
      ${flow('again', 'attempt', '= tries < 3')}
      ${flow('again', 'end', undefined, 'again_done')}`,
      ),
    );
    let v = await engine.start('p', { variables: { tries: 0 } });
    for (let i = 1; i <= 3; i++)
      v = await engine.completeTask(v.openTasks[0]!.id, { variables: { tries: i } });
    expect(v.status).toBe('completed');
    expect(path(v).filter((id) => id === 'attempt')).toHaveLength(3);
  });

  it('conditional flows leaving a task are honoured or rejected at deploy, never silently ignored', async () => {
    const xml = model(
      'p',
      `
      ${startEvent('start')}${userTask('t')}${endEvent('yes')}${endEvent('no')}
      ${chain('start', 't')}
      ${flow('t', 'yes', '= ok')}
      ${flow('t', 'no', '= not(ok)')}`,
    );
    const h = harness();
    let deployedOk = true;
    try {
      await h.engine.deploy(xml);
    } catch (e) {
      deployedOk = false;
      expect((e as ValidationError).problems.map((p) => p.elementId)).toEqual(
        expect.arrayContaining(['t_yes']),
      );
    }
    if (deployedOk) {
      const v = await h.engine.start('p', {});
      const done = await h.engine.completeTask(v.openTasks[0]!.id, { variables: { ok: true } });
      expect(path(done)).toContain('yes');
      expect(path(done)).not.toContain('no');
    }
  });
});
