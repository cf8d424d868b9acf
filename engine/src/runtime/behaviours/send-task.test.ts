import { chain, definitions, endEvent, message, process, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

describe('send task', () => {
  it('publishes its message (name + FEEL key) and moves on', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'notifier',
          `${startEvent('s1')}<bpmn:sendTask id="tell" messageRef="M"/>${userTask('next')}${endEvent('e1')}
          ${chain('s1', 'tell', 'next', 'e1')}`,
        ) +
          process(
            'listener',
            `${startEvent('s2')}
          <bpmn:intermediateCatchEvent id="hear"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
          ${endEvent('e2')}
          ${chain('s2', 'hear', 'e2')}`,
          ),
        message('M', 'material.ready', '= ref'),
      ),
    );
    const listener = await engine.start('listener', { variables: { ref: 'R1' } });
    const notifier = await engine.start('notifier', { variables: { ref: 'R1' } });
    expect(path(notifier)).toEqual(['s1', 'tell']);
    expect(notifier.openTasks.map((t) => t.elementId)).toEqual(['next']);
    expect((await engine.instance(listener.id)).status).toBe('completed');
  });
});
