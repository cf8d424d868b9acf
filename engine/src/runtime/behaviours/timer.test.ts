/**
 * Timer values the engine refuses (a cycle that would fire without end) and how it reads those it
 * runs: a cycle keeps to its start's phase, a FEEL date-time may name its zone.
 */
import { validate } from '../../model/index.js';
import { chain, endEvent, model, startEvent, timer, userTask } from '../../testing/bpmn.js';
import { deployed, harness, timesCompleted } from '../../testing/harness.js';

/** A task with a non-interrupting cycle boundary `remind` that opens a `chase` task. */
const reminder = (cycle: string): string =>
  model(
    'p',
    `${startEvent('start')}${userTask('review')}
    <bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">${timer('timeCycle', cycle)}</bpmn:boundaryEvent>
    ${userTask('chase')}${endEvent('end')}${endEvent('end2')}
    ${chain('start', 'review', 'end')}${chain('remind', 'chase', 'end2')}`,
  );

/** 2026-03-02 06:37Z: 14:37 in Beijing. */
const ACCEPTED = Date.UTC(2026, 2, 2, 6, 37);

describe('timer values', () => {
  describe('a cycle whose period is not longer than zero', () => {
    it.each(['R/-PT1H', 'R/PT0S', 'R3/-P1D', 'R/PT0.0001S'])('%s is refused at deployment', async (cycle) => {
      const problems = await validate(reminder(cycle));
      expect(problems).toEqual([expect.objectContaining({ elementId: 'remind', code: 'timer.invalid' })]);
      await expect(harness().engine.deploy(reminder(cycle))).rejects.toThrow(/period must be/);
    });

    it('computed by FEEL, it is an incident when the timer is scheduled, not a timer firing without end', async () => {
      const h = await deployed(reminder('= "R/" + period'));
      const v = await h.engine.start('p', { variables: { period: '-PT1H' } });
      expect(v.status).toBe('incident');
      const view = await h.engine.instance(v.id);
      expect(view.incidents).toEqual([
        expect.objectContaining({
          code: 'timer.invalid',
          message: expect.stringMatching(/longer than zero/),
        }),
      ]);
      expect(await h.engine.runDueJobs(h.clock.now())).toBe(0);
    });

    it('a negative duration from FEEL is an incident too', async () => {
      const h = await deployed(
        model(
          'd',
          `${startEvent('start')}<bpmn:intermediateCatchEvent id="wait">${timer('timeDuration', '= late')}</bpmn:intermediateCatchEvent>
          ${endEvent('end')}${chain('start', 'wait', 'end')}`,
        ),
      );
      const v = await h.engine.start('d', { variables: { late: '-PT1H' } });
      expect(v.status).toBe('incident');
      expect((await h.engine.instance(v.id)).incidents).toEqual([
        expect.objectContaining({ code: 'timer.invalid', message: expect.stringMatching(/negative/) }),
      ]);
    });
  });

  describe('a cycle with a start in the past', () => {
    it('fires at the next occurrence in its phase (every day at 01:00Z), not a period from now', async () => {
      const h = harness();
      h.clock.set(ACCEPTED);
      await h.engine.deploy(reminder('R/2026-01-05T01:00:00Z/P1D'));
      const v = await h.engine.start('p');
      expect((await h.engine.waits(v.id)).map((w) => w.dueAt)).toEqual([Date.UTC(2026, 2, 3, 1)]);
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 3, 1))).toBe(1);
      expect((await h.engine.waits(v.id)).map((w) => w.dueAt)).toEqual([Date.UTC(2026, 2, 4, 1)]);
    });

    it('counts the repetitions already past: R2 with both past never fires, R5 fires the ones left', async () => {
      const h = harness();
      h.clock.set(ACCEPTED);
      await h.engine.deploy(reminder('R2/2026-01-05T01:00:00Z/P1D'));
      const done = await h.engine.start('p');
      expect(await h.engine.waits(done.id)).toEqual([]);
      expect(await h.engine.runDueJobs(ACCEPTED + 30 * 86_400_000)).toBe(0);
      expect(timesCompleted(await h.engine.instance(done.id), 'remind')).toBe(0);

      // 1 and 2 March are past: three of five are left.
      await h.engine.deploy(reminder('R5/2026-03-01T01:00:00Z/P1D'));
      const left = await h.engine.start('p');
      expect(await h.engine.runDueJobs(ACCEPTED + 30 * 86_400_000)).toBe(3);
      expect(timesCompleted(await h.engine.instance(left.id), 'remind')).toBe(3);
    });

    it('on a catch event with every occurrence past, it is an incident rather than a wait for ever', async () => {
      const h = harness();
      h.clock.set(ACCEPTED);
      await h.engine.deploy(
        model(
          'c',
          `${startEvent('start')}<bpmn:intermediateCatchEvent id="wait">${timer('timeCycle', 'R1/2026-01-05T01:00:00Z/P1D')}</bpmn:intermediateCatchEvent>
          ${endEvent('end')}${chain('start', 'wait', 'end')}`,
        ),
      );
      const v = await h.engine.start('c');
      expect((await h.engine.instance(v.id)).incidents).toEqual([
        expect.objectContaining({ code: 'timer.invalid', message: expect.stringMatching(/past/) }),
      ]);
    });

    it('as a timer start event: starts in its phase and counts the repetitions already past', async () => {
      const h = harness();
      h.clock.set(ACCEPTED);
      await h.engine.deploy(
        model(
          'daily',
          `<bpmn:startEvent id="tick">${timer('timeCycle', 'R4/2026-03-01T01:00:00Z/P1D')}</bpmn:startEvent>
          ${userTask('work')}${endEvent('end')}${chain('tick', 'work', 'end')}`,
        ),
      );
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 3, 0, 59))).toBe(0);
      // 1 and 2 March are past: 3 and 4 March are left.
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 3, 1))).toBe(1);
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 4, 1))).toBe(1);
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 5, 1))).toBe(0);
      expect(await h.engine.runDueJobs(Date.UTC(2026, 2, 9, 1))).toBe(0);
      expect(await h.engine.tasks({ processId: 'daily' })).toHaveLength(2);
    });
  });

  it('a FEEL date-time with a zone (@Asia/Shanghai) is due at that local time', async () => {
    const h = await deployed(
      model(
        'z',
        `${startEvent('start')}
        <bpmn:intermediateCatchEvent id="wait">${timer('timeDate', '= date and time(string(hearingDate) + "T09:00:00@Asia/Shanghai")')}</bpmn:intermediateCatchEvent>
        ${endEvent('end')}${chain('start', 'wait', 'end')}`,
      ),
    );
    const v = await h.engine.start('z', { variables: { hearingDate: '2026-05-01' } });
    expect(v.status).toBe('active');
    expect((await h.engine.waits(v.id)).map((w) => w.dueAt)).toEqual([Date.UTC(2026, 4, 1, 1)]);
  });
});
