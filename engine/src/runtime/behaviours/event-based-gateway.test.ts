import { chain, definitions, endEvent, message, process, startEvent, timer } from '../../testing/bpmn.js';
import { deployed, HOUR, MINUTE, path } from '../../testing/harness.js';

const xml = definitions(
  process(
    'p',
    `
    ${startEvent('start')}
    <bpmn:eventBasedGateway id="race"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="M_paid"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="late">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
    ${endEvent('endPaid')}${endEvent('endLate')}
    ${chain('start', 'race')}
    ${chain('race', 'paid', 'endPaid')}
    ${chain('race', 'late', 'endLate')}`,
  ),
  message('M_paid', 'paid', '= orderId'),
);

describe('event-based gateway', () => {
  it('the message wins: the timer is cancelled and never fires', async () => {
    const h = await deployed(xml);
    const v = await h.engine.start('p', { variables: { orderId: 'O-1' } });
    expect(v.status).toBe('active');
    await h.tick(30 * MINUTE);
    const r = await h.engine.correlate('paid', { correlationKey: 'O-1', variables: { amount: 10 } });
    expect(r.instanceIds).toEqual([v.id]);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(after.variables['amount']).toBe(10);
    expect(path(after)).toEqual(['start', 'race', 'paid', 'endPaid']);
    expect(await h.tick(2 * HOUR)).toBe(0);
    expect(path(await h.engine.instance(v.id))).not.toContain('late');
  });

  it('the timer wins: the message subscription is removed', async () => {
    const h = await deployed(xml);
    const v = await h.engine.start('p', { variables: { orderId: 'O-2' } });
    expect(await h.tick(HOUR - 1)).toBe(0);
    expect(await h.tick(1)).toBe(1);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'race', 'late', 'endLate']);
    const r = await h.engine.correlate('paid', { correlationKey: 'O-2' });
    expect(r.instanceIds).toEqual([]);
    expect(path(await h.engine.instance(v.id))).not.toContain('paid');
  });

  it('a message with another key does not trigger the race', async () => {
    const h = await deployed(xml);
    const v = await h.engine.start('p', { variables: { orderId: 'O-3' } });
    expect((await h.engine.correlate('paid', { correlationKey: 'O-4' })).instanceIds).toEqual([]);
    expect((await h.engine.instance(v.id)).status).toBe('active');
  });

  it('a receive task can be one of the racing events', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:eventBasedGateway id="race"/>
        <bpmn:receiveTask id="answer" messageRef="M_ans"/>
        <bpmn:intermediateCatchEvent id="late">${timer('timeDuration', 'P1D')}</bpmn:intermediateCatchEvent>
        ${endEvent('e1')}${endEvent('e2')}
        ${chain('start', 'race')}${chain('race', 'answer', 'e1')}${chain('race', 'late', 'e2')}`,
        ),
        message('M_ans', 'answer'),
      ),
    );
    const v = await h.engine.start('p', { businessKey: 'Q' });
    expect((await h.engine.correlate('answer', { correlationKey: 'Q' })).instanceIds).toEqual([v.id]);
    expect(await h.tick(2 * HOUR * 24)).toBe(0);
    expect(path(await h.engine.instance(v.id))).toEqual(['start', 'race', 'answer', 'e1']);
  });
});
