import {
  chain,
  definitions,
  endEvent,
  message,
  process,
  startEvent,
  timer,
  userTask,
} from '../../testing/bpmn.js';
import { deployed, HOUR, MINUTE, path } from '../../testing/harness.js';

describe('intermediate catch event', () => {
  it('timer (timeDuration PT30M) waits from the moment it is entered', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
      ${startEvent('start')}
      ${userTask('submit')}
      <bpmn:intermediateCatchEvent id="cool">${timer('timeDuration', 'PT30M')}</bpmn:intermediateCatchEvent>
      ${endEvent('end')}
      ${chain('start', 'submit', 'cool', 'end')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', {});
    h.clock.advance(2 * HOUR); // time before the catch is entered does not count
    await h.engine.completeTask(v.openTasks[0]!.id, {});
    expect(await h.tick(29 * MINUTE)).toBe(0);
    expect((await h.engine.instance(v.id)).status).toBe('active');
    expect(await h.tick(MINUTE)).toBe(1);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after)).toEqual(['start', 'submit', 'cool', 'end']);
  });

  it('timer (timeDate) fires at the date; a runDueJobs(now) earlier does nothing', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
      ${startEvent('start')}
      <bpmn:intermediateCatchEvent id="noon">${timer('timeDate', '2026-01-05T12:00:00Z')}</bpmn:intermediateCatchEvent>
      ${endEvent('end')}
      ${chain('start', 'noon', 'end')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', {});
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 11, 59))).toBe(0);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 12, 0))).toBe(1);
    expect((await h.engine.instance(v.id)).status).toBe('completed');
  });

  it('message catch keyed by a FEEL correlationKey evaluated on entry; message variables are merged', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="waitSigned"><bpmn:messageEventDefinition messageRef="M1"/></bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'waitSigned', 'end')}`,
        ),
        message('M1', 'contract.signed', '= "C-" + string(contractNo)'),
      ),
    );
    const v = await engine.start('p', { variables: { contractNo: 12 } });
    expect((await engine.correlate('contract.signed', { correlationKey: '12' })).instanceIds).toEqual([]);
    const r = await engine.correlate('contract.signed', {
      correlationKey: 'C-12',
      variables: { signedBy: 'Zhao' },
    });
    expect(r).toEqual({ instanceIds: [v.id], started: false });
    const after = await engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(after.variables).toMatchObject({ contractNo: 12, signedBy: 'Zhao' });
  });

  it('message correlation by business key among 100 waiting instances moves only the right one', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="waitPaid"><bpmn:messageEventDefinition messageRef="M_paid"/></bpmn:intermediateCatchEvent>
        ${userTask('issue')}
        ${endEvent('end')}
        ${chain('start', 'waitPaid', 'issue', 'end')}`,
        ),
        message('M_paid', 'fee.paid'),
      ),
    );
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const v = await engine.start('p', { businessKey: `APP-${i}`, variables: { i } });
      expect(v.status).toBe('active');
      ids.push(v.id);
    }
    const r = await engine.correlate('fee.paid', { correlationKey: 'APP-42', variables: { receipt: 'R42' } });
    expect(r).toEqual({ instanceIds: [ids[42]], started: false });

    const issued = await engine.tasks({ elementId: 'issue' });
    expect(issued.map((t) => t.instanceId)).toEqual([ids[42]]);
    expect(issued[0]!.businessKey).toBe('APP-42');
    for (let i = 0; i < 100; i++) {
      const view = await engine.instance(ids[i]!);
      if (i === 42) {
        expect(path(view)).toEqual(['start', 'waitPaid']);
        expect(view.variables['receipt']).toBe('R42');
      } else {
        expect(path(view)).toEqual(['start']);
        expect(view.variables['receipt']).toBeUndefined();
      }
    }
    // a second message for the same key finds nobody waiting; another key still works
    expect((await engine.correlate('fee.paid', { correlationKey: 'APP-42' })).instanceIds).toEqual([]);
    expect((await engine.correlate('fee.paid', { correlationKey: 'APP-7' })).instanceIds).toEqual([ids[7]]);
  });

  it('a numeric correlation key matches its string form', async () => {
    const { engine } = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="w"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'w', 'end')}`,
        ),
        message('M', 'numbered', '= orderNo'),
      ),
    );
    const v = await engine.start('p', { variables: { orderNo: 42 } });
    expect((await engine.correlate('numbered', { correlationKey: '42' })).instanceIds).toEqual([v.id]);
  });

  it('timer dates already past when entered fire on the next runDueJobs', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="past">${timer('timeDate', '2020-01-01T00:00:00Z')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'past', 'end')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', {});
    expect(await h.engine.runDueJobs(h.clock.now())).toBe(1);
    expect((await h.engine.instance(v.id)).status).toBe('completed');
  });

  it('a combined duration P1DT2H30M waits exactly that long', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:intermediateCatchEvent id="w">${timer('timeDuration', 'P1DT2H30M')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'w', 'end')}`,
        ),
      ),
    );
    await h.engine.start('p', {});
    expect(await h.tick(26 * HOUR + 29 * MINUTE)).toBe(0);
    expect(await h.tick(MINUTE)).toBe(1);
  });

  it('an event-based gateway in a loop subscribes afresh on each round', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `
        ${startEvent('start')}
        <bpmn:exclusiveGateway id="loopIn"/>
        <bpmn:eventBasedGateway id="race"/>
        <bpmn:intermediateCatchEvent id="ping"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="giveUp">${timer('timeDuration', 'PT1H')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}
        ${chain('start', 'loopIn', 'race')}
        ${chain('race', 'ping', 'loopIn')}
        ${chain('race', 'giveUp', 'end')}`,
        ),
        message('M', 'ping'),
      ),
    );
    const v = await h.engine.start('p', { businessKey: 'L' });
    expect((await h.engine.correlate('ping', { correlationKey: 'L' })).instanceIds).toEqual([v.id]);
    expect((await h.engine.correlate('ping', { correlationKey: 'L' })).instanceIds).toEqual([v.id]);
    expect(await h.tick(HOUR)).toBe(1);
    const after = await h.engine.instance(v.id);
    expect(after.status).toBe('completed');
    expect(path(after).filter((id) => id === 'ping')).toHaveLength(2);
    expect(await h.tick(5 * HOUR)).toBe(0);
  });

  it('a timeDate without an offset is read as UTC', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `${startEvent('start')}
        <bpmn:intermediateCatchEvent id="w">${timer('timeDate', '2026-01-05T10:00:00')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}${chain('start', 'w', 'end')}`,
        ),
      ),
    );
    await h.engine.start('p', {});
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 9, 59, 59))).toBe(0);
    expect(await h.engine.runDueJobs(Date.UTC(2026, 0, 5, 10, 0, 0))).toBe(1);
  });

  it.each([
    ['= wait', { wait: 'PT2H' }],
    ['= duration("PT2H")', {}],
  ])(
    'a FEEL timer value (%s) is evaluated on entry; runDueJobs() without an argument uses the clock',
    async (expr, variables) => {
      const h = await deployed(
        definitions(
          process(
            'p',
            `${startEvent('start')}
        <bpmn:intermediateCatchEvent id="w">${timer('timeDuration', expr)}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}${chain('start', 'w', 'end')}`,
          ),
        ),
      );
      const v = await h.engine.start('p', { variables });
      h.clock.advance(2 * HOUR - 1);
      expect(await h.engine.runDueJobs()).toBe(0);
      h.clock.advance(1);
      expect(await h.engine.runDueJobs()).toBe(1);
      expect((await h.engine.instance(v.id)).status).toBe('completed');
    },
  );

  it('a FEEL timer value that is not a duration gives an incident naming the event', async () => {
    const h = await deployed(
      definitions(
        process(
          'p',
          `${startEvent('start')}
        <bpmn:intermediateCatchEvent id="w">${timer('timeDuration', '= wait')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}${chain('start', 'w', 'end')}`,
        ),
      ),
    );
    const v = await h.engine.start('p', { variables: { wait: 42 } });
    expect(v.status).toBe('incident');
    expect(v.incident?.elementId).toBe('w');
  });
});
