import { chain, definitions, endEvent, message, process, startEvent, userTask } from '../../testing/bpmn.js';
import { deployed, path } from '../../testing/harness.js';

describe('receive task', () => {
  const byBusinessKey = definitions(
    process(
      'p',
      `
      ${startEvent('start')}
      <bpmn:receiveTask id="awaitPayment" messageRef="M_paid"/>
      ${userTask('issue')}
      ${endEvent('end')}
      ${chain('start', 'awaitPayment', 'issue', 'end')}`,
    ),
    message('M_paid', 'payment.received'),
  );

  it('waits for its message, matched by business key by default, and merges its variables', async () => {
    const { engine } = await deployed(byBusinessKey);
    const v = await engine.start('p', { businessKey: 'ORDER-1' });
    expect(v.status).toBe('active');
    expect(v.openTasks).toEqual([]);

    const wrong = await engine.correlate('payment.received', {
      correlationKey: 'ORDER-2',
      variables: { paid: 1 },
    });
    expect(wrong.instanceIds).toEqual([]);
    expect((await engine.instance(v.id)).variables['paid']).toBeUndefined();

    const right = await engine.correlate('payment.received', {
      correlationKey: 'ORDER-1',
      variables: { paid: 99 },
    });
    expect(right).toEqual({ instanceIds: [v.id], started: false });
    const after = await engine.instance(v.id);
    expect(after.variables['paid']).toBe(99);
    expect(path(after)).toEqual(['start', 'awaitPayment']);
    expect(after.openTasks.map((t) => t.elementId)).toEqual(['issue']);

    // the subscription is gone once consumed
    expect((await engine.correlate('payment.received', { correlationKey: 'ORDER-1' })).instanceIds).toEqual(
      [],
    );
  });

  it('uses the message gov:correlationKey expression, evaluated when the task is entered', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
          ${startEvent('start')}
          <bpmn:receiveTask id="awaitPayment" messageRef="M_paid"/>
          ${endEvent('end')}
          ${chain('start', 'awaitPayment', 'end')}`,
        ),
        message('M_paid', 'payment.received', '= order.id'),
      ),
    );
    const v = await engine.start('p', { businessKey: 'BK', variables: { order: { id: 'O-77' } } });
    expect((await engine.correlate('payment.received', { correlationKey: 'BK' })).instanceIds).toEqual([]);
    expect((await engine.correlate('payment.received', { correlationKey: 'O-77' })).instanceIds).toEqual([
      v.id,
    ]);
    expect((await engine.instance(v.id)).status).toBe('completed');
  });

  it('a message boundary on a receive task interrupts the wait', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
          ${startEvent('start')}
          <bpmn:receiveTask id="awaitPayment" messageRef="M_paid"/>
          <bpmn:boundaryEvent id="cancelled" attachedToRef="awaitPayment"><bpmn:messageEventDefinition messageRef="M_cancel"/></bpmn:boundaryEvent>
          ${endEvent('end')}${endEvent('endCancelled')}
          ${chain('start', 'awaitPayment', 'end')}${chain('cancelled', 'endCancelled')}`,
        ),
        message('M_paid', 'payment.received') + message('M_cancel', 'order.cancelled'),
      ),
    );
    const v = await engine.start('p', { businessKey: 'O1' });
    expect((await engine.correlate('order.cancelled', { correlationKey: 'O1' })).instanceIds).toEqual([v.id]);
    expect((await engine.correlate('payment.received', { correlationKey: 'O1' })).instanceIds).toEqual([]);
    expect(path(await engine.instance(v.id))).toEqual(['start', 'cancelled', 'endCancelled']);
  });

  it('without business key or key expression, a message without correlationKey reaches the waiting instance', async () => {
    const { engine } = await deployed(byBusinessKey);
    const v = await engine.start('p', {});
    expect((await engine.correlate('payment.received', {})).instanceIds).toEqual([v.id]);
  });
});
