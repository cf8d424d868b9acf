import { chain, definitions, endEvent, message, process, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

describe('intermediate throw event', () => {
  it('none throw passes straight through', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
      ${startEvent('start')}
      <bpmn:intermediateThrowEvent id="milestone" name="Application accepted"/>
      ${userTask('next')}
      ${endEvent('end')}
      ${chain('start', 'milestone', 'next', 'end')}`,
        ),
      ),
    );
    const v = await engine.start('p', {});
    expect(path(v)).toEqual(['start', 'milestone']);
    expect(v.openTasks.map((t) => t.elementId)).toEqual(['next']);
  });

  it('message throw publishes the message: the waiting catch with the same name and key moves on', async () => {
    const xml = definitions(
      process(
        'notifier',
        `
        ${startEvent('s1')}
        <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition messageRef="M_ready"/></bpmn:intermediateThrowEvent>
        ${endEvent('e1')}
        ${chain('s1', 'notify', 'e1')}`,
      ) +
        process(
          'waiter',
          `
        ${startEvent('s2')}
        <bpmn:intermediateCatchEvent id="waitReady"><bpmn:messageEventDefinition messageRef="M_ready"/></bpmn:intermediateCatchEvent>
        ${endEvent('e2')}
        ${chain('s2', 'waitReady', 'e2')}`,
        ),
      message('M_ready', 'licence.ready', '= caseNo'),
    );
    const { engine } = await deployed(xml);
    const waiting = await engine.start('waiter', { variables: { caseNo: 'K-1' } });
    const other = await engine.start('waiter', { variables: { caseNo: 'K-2' } });
    const thrower = await engine.start('notifier', { variables: { caseNo: 'K-1' } });
    expect(thrower.status).toBe('completed');
    expect(path(thrower)).toEqual(['s1', 'notify', 'e1']);
    expect((await engine.instance(waiting.id)).status).toBe('completed');
    expect((await engine.instance(other.id)).status).toBe('active');
  });
});
