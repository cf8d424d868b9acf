/**
 * One wait answered by its id (engine.waits, fireTimer, deliverMessage): an operator's "run this
 * timer now" or a message correlated by hand reaches that wait only — not a boundary event
 * waiting for the same message or an earlier timer, nor another instance.
 */
import { SqliteStore } from './store/sqlite/index.js';
import { createEngine, CommandError } from './index.js';
import { fakeClock, HOUR, openTaskIds, path, T0 } from './testing/harness.js';
import { chain, endEvent, message, model, startEvent, timer, userTask } from './testing/bpmn.js';

/**
 * Two branches: a catch (the message `paid`, or a two-hour timer) then `afterCatch`; and `review`
 * with a boundary event for the same message (or a one-hour timer) leading to `escalated`.
 */
function twoBranches(definition: string): string {
  return model(
    'p',
    `${startEvent()}
    <bpmn:parallelGateway id="split"/>
    <bpmn:intermediateCatchEvent id="catch">${definition.replace('{d}', 'PT2H')}</bpmn:intermediateCatchEvent>
    ${userTask('afterCatch')}
    ${userTask('review')}
    <bpmn:boundaryEvent id="onReview" attachedToRef="review">${definition.replace('{d}', 'PT1H')}</bpmn:boundaryEvent>
    ${userTask('escalated')}
    ${endEvent('e1')}${endEvent('e2')}${endEvent('e3')}
    ${chain('start', 'split', 'catch', 'afterCatch', 'e1')}
    ${chain('split', 'review', 'e2')}
    ${chain('onReview', 'escalated', 'e3')}`,
    message('m', 'paid', '= caseNo'),
  );
}
/** `review`, with a reminder task opened every hour it stays open (a cycle timer, five rounds). */
function remindEveryHour(): string {
  return model(
    'p',
    `${startEvent()}${userTask('review')}
    <bpmn:boundaryEvent id="remindEvery" attachedToRef="review" cancelActivity="false">${timer('timeCycle', 'R5/PT1H')}</bpmn:boundaryEvent>
    ${userTask('remind')}${endEvent('e1')}${endEvent('e2')}
    ${chain('start', 'review', 'e1')}${chain('remindEvery', 'remind', 'e2')}`,
  );
}
const MESSAGE = '<bpmn:messageEventDefinition messageRef="m"/>';
const TIMER = timer('timeDuration', '{d}');

const stores = [
  ['memory', () => undefined],
  ['SQLite', () => new SqliteStore(':memory:')],
] as const;

describe.each(stores)('waits answered by their id (%s)', (_name, makeStore) => {
  async function engineWith(xml: string) {
    const clock = fakeClock();
    const store = makeStore();
    const engine = createEngine({ clock: clock.now, ...(store ? { store } : {}) });
    await engine.deploy(xml);
    return { engine, clock };
  }

  it('lists what an instance waits for besides its tasks, with ids, elements, due times and messages', async () => {
    const { engine } = await engineWith(twoBranches(TIMER));
    const view = await engine.start('p');
    expect(await engine.waits(view.id)).toEqual([
      { id: expect.any(String), elementId: 'catch', kind: 'timer', boundary: false, dueAt: T0 + 2 * HOUR },
      { id: expect.any(String), elementId: 'onReview', kind: 'timer', boundary: true, dueAt: T0 + HOUR },
    ]);
    const { engine: other } = await engineWith(twoBranches(MESSAGE));
    const waiting = await other.start('p', { variables: { caseNo: 'A-1' } });
    expect(
      (await other.waits(waiting.id)).map((w) => [w.elementId, w.messageName, w.correlationKey]),
    ).toEqual([
      ['catch', 'paid', 'A-1'],
      ['onReview', 'paid', 'A-1'],
    ]);
    await expect(other.waits('nobody')).rejects.toThrow(/instance nobody does not exist/);
  });

  it('fires one timer before it is due; the earlier boundary timer stays, and the fired one is not queued again', async () => {
    const { engine, clock } = await engineWith(twoBranches(TIMER));
    const view = await engine.start('p');
    const [catchTimer, boundary] = await engine.waits(view.id);
    const after = await engine.fireTimer(catchTimer!.id);
    expect(openTaskIds(after)).toEqual(['afterCatch', 'review']);
    expect((await engine.waits(view.id)).map((w) => w.elementId)).toEqual(['onReview']);
    // Three hours on, only the boundary timer is still queued: the catch's went with its firing.
    const queued = await engine.store.queue.claim(clock.advance(3 * HOUR), 'look', 1, 10);
    expect(queued.map((job) => job.id)).toEqual([boundary!.id]);
    expect(await engine.runDueJobs(clock.advance(1000))).toBe(1);
    const later = await engine.instance(view.id);
    expect(openTaskIds(later)).toEqual(['afterCatch', 'escalated']);
    expect(path(later)).toEqual(expect.arrayContaining(['catch', 'onReview']));
  });

  it('delivers a message to the catch only, though a boundary event waits for the same name and key', async () => {
    const { engine } = await engineWith(twoBranches(MESSAGE));
    const view = await engine.start('p', { variables: { caseNo: 'A-1' } });
    const twin = await engine.start('p', { variables: { caseNo: 'A-1' } });
    const [catchWait, boundary] = await engine.waits(view.id);
    const after = await engine.deliverMessage(catchWait!.id, { variables: { paidAt: 'today' } });
    expect(openTaskIds(after)).toEqual(['afterCatch', 'review']);
    expect(after.variables.paidAt).toBe('today');
    // The other instance waiting for the same message and key got nothing.
    expect((await engine.waits(twin.id)).map((w) => w.elementId)).toEqual(['catch', 'onReview']);
    // And the boundary, by its own id: the review is interrupted.
    const escalated = await engine.deliverMessage(boundary!.id);
    expect(openTaskIds(escalated)).toEqual(['afterCatch', 'escalated']);
  });

  it('fires a cycle timer once when it is fired by hand after the queue claimed it, and keeps its next round', async () => {
    const { engine, clock } = await engineWith(remindEveryHour());
    const view = await engine.start('p');
    const [cycle] = await engine.waits(view.id);
    clock.advance(HOUR);
    // A worker claims the due round; before its handler runs, an operator fires the same timer.
    const queue = engine.store.queue;
    const claim = queue.claim.bind(queue);
    let firedByHand = false;
    queue.claim = async (...args) => {
      const jobs = await claim(...args);
      if (!firedByHand && jobs.some((job) => job.id === cycle!.id)) {
        firedByHand = true;
        await engine.fireTimer(cycle!.id);
      }
      return jobs;
    };
    expect(await engine.runDueJobs(clock.now())).toBe(0);
    expect(firedByHand).toBe(true);
    expect(openTaskIds(await engine.instance(view.id))).toEqual(['remind', 'review']);
    const [next] = await engine.waits(view.id);
    expect(next!.dueAt).toBe(T0 + 2 * HOUR);
    // The next round is still queued, and fires once when due.
    expect(await engine.runDueJobs(clock.advance(HOUR))).toBe(1);
    expect(openTaskIds(await engine.instance(view.id))).toEqual(['remind', 'remind', 'review']);
  });

  it('applies a call with a delivery id once: a retry answers the view and changes nothing', async () => {
    const { engine } = await engineWith(remindEveryHour());
    const view = await engine.start('p');
    const [cycle] = await engine.waits(view.id);
    const fired = await engine.fireTimer(cycle!.id, { deliveryId: 'op-42' });
    expect(openTaskIds(fired)).toEqual(['remind', 'review']);
    // The operator's client retries (its answer was lost): the same view, no second round.
    const retried = await engine.fireTimer(cycle!.id, { deliveryId: 'op-42' });
    expect(retried).toEqual(fired);
    // Another delivery id is another firing.
    expect(openTaskIds(await engine.fireTimer(cycle!.id, { deliveryId: 'op-43' }))).toEqual([
      'remind',
      'remind',
      'review',
    ]);

    const { engine: paying } = await engineWith(twoBranches(MESSAGE));
    const waiting = await paying.start('p', { variables: { caseNo: 'A-1' } });
    const [catchWait] = await paying.waits(waiting.id);
    const paid = await paying.deliverMessage(catchWait!.id, {
      variables: { paidAt: 'today' },
      deliveryId: 'pay-1',
    });
    const again = await paying.deliverMessage(catchWait!.id, {
      variables: { paidAt: 'later' },
      deliveryId: 'pay-1',
    });
    expect(again).toEqual(paid);
    expect(again.variables.paidAt).toBe('today');
    // The same delivery id sent to another wait is another call.
    const [boundary] = await paying.waits(waiting.id);
    const escalated = await paying.deliverMessage(boundary!.id, { deliveryId: 'pay-1' });
    expect(openTaskIds(escalated)).toEqual(['afterCatch', 'escalated']);
    for (const deliveryId of ['', 'x'.repeat(201), 7 as unknown as string])
      await expect(paying.fireTimer(catchWait!.id, { deliveryId })).rejects.toThrow(
        new CommandError('invalid', 'deliveryId must be a string of 1 to 200 characters'),
      );
  });

  it('refuses a wait that is not open, of another kind, or not a wait id at all, naming it', async () => {
    const { engine } = await engineWith(twoBranches(MESSAGE));
    const view = await engine.start('p', { variables: { caseNo: 'A-1' } });
    const [catchWait] = await engine.waits(view.id);
    await expect(engine.fireTimer(catchWait!.id)).rejects.toThrow(
      new CommandError('notFound', `timer ${catchWait!.id} is not open in instance ${view.id}`),
    );
    await engine.deliverMessage(catchWait!.id);
    await expect(engine.deliverMessage(catchWait!.id)).rejects.toThrow(/is not open in instance/);
    await expect(engine.deliverMessage('no-dot')).rejects.toThrow(/wait no-dot does not exist/);
    await expect(engine.fireTimer('gone.w1')).rejects.toThrow(/instance gone does not exist/);
    await expect(
      engine.deliverMessage(catchWait!.id, { variables: [1] as unknown as Record<string, unknown> }),
    ).rejects.toThrow(/message variables must be an object/);
  });
});
