import { chain, endEvent, model, startEvent } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

describe('plain and manual tasks', () => {
  it('pass straight through (nothing to wait for)', async () => {
    const { engine } = await deployed(
      model(
        'p',
        `${startEvent('s')}<bpmn:task id="note"/><bpmn:manualTask id="stamp"/>${endEvent('e')}
        ${chain('s', 'note', 'stamp', 'e')}`,
      ),
    );
    const v = await engine.start('p', {});
    expect(v.status).toBe('completed');
    expect(path(v)).toEqual(['s', 'note', 'stamp', 'e']);
    expect(await engine.tasks({ instanceId: v.id })).toEqual([]);
  });
});
