import { chain, endEvent, flow, model, startEvent, userTask, xmlEscape } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

const rule = (id: string, expression: string, resultVariable: string): string =>
  `<bpmn:businessRuleTask id="${id}" gov:expression="${xmlEscape(expression)}" gov:resultVariable="${resultVariable}"/>`;

describe('business rule task (FEEL)', () => {
  it('evaluates the expression and stores the result variable', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      ${rule('fee', '= amount * 2 + 1', 'fee')}
      ${endEvent('end')}
      ${chain('start', 'fee', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { amount: 20 } });
    expect(v.status).toBe('completed');
    expect(v.variables).toMatchObject({ amount: 20, fee: 41 });
    expect(path(v)).toEqual(['start', 'fee', 'end']);
  });

  it('can build a context, and later elements see it', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}
      ${rule('classify', '= { level: if amount > 1000 then "high" else "low", docs: count(materials) }', 'risk')}
      <bpmn:exclusiveGateway id="gw" default="gw_normal"/>
      ${userTask('seniorReview')}${userTask('normalReview')}
      ${endEvent('end1')}${endEvent('end2')}
      ${chain('start', 'classify', 'gw')}
      ${flow('gw', 'seniorReview', '= risk.level = "high"')}
      ${flow('gw', 'normalReview', undefined, 'gw_normal')}
      ${chain('seniorReview', 'end1')}${chain('normalReview', 'end2')}`,
      ),
    );
    const high = await engine.start('p', { variables: { amount: 5000, materials: ['a', 'b'] } });
    expect(high.variables['risk']).toEqual({ level: 'high', docs: 2 });
    expect(high.openTasks.map((t) => t.elementId)).toEqual(['seniorReview']);
    const low = await engine.start('p', { variables: { amount: 5, materials: [] } });
    expect(low.variables['risk']).toEqual({ level: 'low', docs: 0 });
    expect(low.openTasks.map((t) => t.elementId)).toEqual(['normalReview']);
  });

  it('expression without the leading "=" works the same', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `
      ${startEvent('start')}${rule('r', 'upper case(name)', 'shout')}${endEvent('end')}
      ${chain('start', 'r', 'end')}`,
      ),
    );
    const v = await engine.start('p', { variables: { name: 'zhang' } });
    expect(v.variables['shout']).toBe('ZHANG');
  });
});
