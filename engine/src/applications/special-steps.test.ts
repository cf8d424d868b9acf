/**
 * Special steps (特殊环节, GOV-SERVICES 2.12): the restaurant's on-site inspection before the food
 * licence (foodInspection, here with a limit of 2 working days, the item's own being 4). Its days
 * do not count toward the item's or the case's limit, but it has its own: the applicant is told in
 * writing, the department works against it, and the sweep colours it and records it overdue.
 */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Task } from '../api.js';
import { createEngine } from '../index.js';
import {
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  memoryCentre,
  T0,
} from '../testing/centre-fixtures.js';
import { beginSpecialStep } from './special-steps.js';
import type { Application, TimelineEntry } from './types.js';
import { workingTimeLimits } from './working-time.js';

const DAY = 86_400_000;
const STEP = '现场核查后许可 Food licence after on-site inspection';
const FOOD = 'market-regulation';
const COLD_FOOD = { foodCategories: ['coldFood'] };

/** A centre on a clock the test moves, with the restaurant bundle whose inspection has a 2-day limit. */
async function desk(options: { fullSweepEveryMs?: number } = {}) {
  let now = T0;
  const { centre } = memoryCentre({
    engine: createEngine({ clock: () => now }),
    clock: () => now,
    ...options,
  });
  const pkg = example('restaurant');
  const xml = pkg.xml.replace(/(id="foodInspection"[^>]*?gov:timeLimit=)"4"/, '$1"2"');
  expect(xml).not.toBe(pkg.xml);
  await centre.deployBundle(analyst, { ...pkg, xml });
  const { situation, ...data } = structuredClone(samples.restaurant!);
  const draft = await centre.createApplication(clerk, {
    bundleCode: 'restaurant',
    answers: { ...situation, ...COLD_FOOD },
    data: { ...data, ...COLD_FOOD },
    applicant: {
      kind: 'person',
      name: '陈六',
      idNumber: '440402199003071232',
      phone: '13600001111',
      userId: 'zhangsan',
    },
  });
  const app = await centre.submit(clerk, draft.id);
  const seen = app.materials
    .filter((m) => m.required && m.status === 'missing')
    .map((m) => ({ id: m.id, status: 'provided' as const }));
  const accepted = await centre.accept(clerk, app.id, { materials: seen });
  const task = `${app.id}:food-licence`;
  const advanceTo = (at: number) => (now = at);
  return { centre, app: accepted, task, advanceTo };
}

const food = (app: Application) => app.items.find((i) => i.item === 'food-licence')!;
const entries = (app: Application, type: string): TimelineEntry[] =>
  app.timeline.filter((e) => e.type === type);
const stepCrossings = (app: Application) =>
  app.timeline.filter((e) => e.type.startsWith('timeLimit.') && e.data?.specialStep !== undefined);

// T0 is Monday 2026-11-23 09:00 CST: two working days after it end on Wednesday the 25th.
const THURSDAY = Date.UTC(2026, 10, 25, 16, 0); // 00:00 CST on the 26th: the step is overdue
const TUESDAY = T0 + DAY;

describe('a special step opens', () => {
  it('with its own limit from gov:timeLimit; the item keeps its own, and its clock and the case’s wait', async () => {
    const { app } = await desk();
    expect(food(app).specialSteps).toEqual([
      {
        taskId: food(app).taskId,
        elementId: 'foodInspection',
        name: STEP,
        openedAt: T0,
        limitDays: 2,
        timeStatus: 'normal',
      },
    ]);
    expect(food(app).limitDays).toBe(4);
    expect(app.pauses).toEqual([{ from: T0, reason: 'special-step' }]);
  });

  it('tells the applicant in writing which step, that its time does not count, and its own due date', async () => {
    const { centre, app } = await desk();
    const mine = await centre.getApplication(applicantActor, app.id);
    const [opened] = entries(mine, 'specialStep.opened');
    expect(opened).toMatchObject({
      at: T0,
      data: {
        item: 'food-licence',
        department: FOOD,
        step: 'foodInspection',
        name: STEP,
        limitDays: 2,
        dueAt: THURSDAY,
      },
    });
    const notice = opened!.data!.notice as { zh: string; en: string };
    expect(notice.zh).toBe(
      `“食品经营许可”进入特殊环节“${STEP}”，该环节所需时间不计入承诺办结时限；本环节时限为 2 个工作日，应于 2026-11-25 前办结。`,
    );
    expect(notice.en).toMatch(
      /^Food business licence has entered the special step ".+": its time does not count/,
    );
    expect(notice.en).toContain('2 working days and is due by 2026-11-25');
  });

  it('shows the department its own due date and colour, not the paused item clock', async () => {
    const { centre, task } = await desk();
    const view = await centre.getTask(dept(FOOD), task);
    expect(view).toMatchObject({
      deadline: THURSDAY,
      remainingWorkingDays: 2,
      timeStatus: 'normal',
      specialStep: true,
      openSpecialStep: { name: STEP, openedAt: T0, limitDays: 2 },
    });
  });
});

describe('a special step running late', () => {
  it('turns yellow, then red with the supervision record an overdue item gets; the item and case clocks stay paused', async () => {
    const { centre, app, task, advanceTo } = await desk();
    // The other departments decide at once: the inspection's own clock is the only one left to run late.
    for (const other of app.items.filter((i) => i.item !== 'food-licence'))
      await centre.approve(dept(other.department), `${app.id}:${other.item}`, {});
    advanceTo(TUESDAY);
    expect((await centre.sweep()).recoloured).toBe(1);
    let now = await centre.getApplication(clerk, app.id);
    expect(food(now).specialSteps![0]!.timeStatus).toBe('yellow');
    expect(stepCrossings(now)).toEqual([
      expect.objectContaining({
        type: 'timeLimit.yellow',
        at: TUESDAY,
        data: { item: 'food-licence', department: FOOD, specialStep: STEP },
      }),
    ]);

    advanceTo(THURSDAY);
    expect((await centre.sweep()).recoloured).toBe(1);
    now = await centre.getApplication(clerk, app.id);
    expect(food(now).specialSteps![0]!.timeStatus).toBe('red');
    expect(stepCrossings(now).map((e) => [e.type, e.at])).toEqual([
      ['timeLimit.yellow', TUESDAY],
      ['timeLimit.red', THURSDAY],
    ]);
    // Its own clock only: the food licence's and the case's clocks do not move while it is open.
    expect(food(now).timeStatus).toBe('normal');
    expect(now.timeStatus).not.toBe('red');
    expect(now.timeline.filter((e) => e.type === 'timeLimit.red' && e.data === undefined)).toEqual([]);

    // The department's inbox and task page, filtered or not, show it overdue; a second sweep records nothing more.
    const view = await centre.getTask(dept(FOOD), task);
    expect(view).toMatchObject({ deadline: THURSDAY, remainingWorkingDays: -1, timeStatus: 'red' });
    const red = await centre.listTasks(dept(FOOD), { timeStatus: 'red' });
    expect(red.items.map((t) => t.id)).toEqual([task]);
    await centre.sweep();
    expect(stepCrossings(await centre.getApplication(clerk, app.id))).toHaveLength(2);
  });

  it('comes due by the case’s sweepAt: a sweep that reads only what is due turns it yellow, then red', async () => {
    // Only the first sweep reads every open case: the later ones find the step by its sweepAt.
    const { centre, app, advanceTo } = await desk({ fullSweepEveryMs: Infinity });
    for (const other of app.items.filter((i) => i.item !== 'food-licence'))
      await centre.approve(dept(other.department), `${app.id}:${other.item}`, {});
    await centre.sweep();
    advanceTo(TUESDAY);
    expect((await centre.sweep()).recoloured).toBe(1);
    advanceTo(THURSDAY);
    expect((await centre.sweep()).recoloured).toBe(1);
    const now = await centre.getApplication(clerk, app.id);
    expect(stepCrossings(now).map((e) => [e.type, e.at])).toEqual([
      ['timeLimit.yellow', TUESDAY],
      ['timeLimit.red', THURSDAY],
    ]);
  });

  it('ends with its task: recorded, the clocks run again, and the department is back on the item’s clock', async () => {
    const { centre, app, task, advanceTo } = await desk();
    advanceTo(THURSDAY);
    await centre.approve(dept(FOOD), task, {});
    const now = await centre.getApplication(applicantActor, app.id);
    expect(food(now).specialSteps![0]!.endedAt).toBe(THURSDAY);
    expect(entries(now, 'specialStep.ended')).toEqual([
      expect.objectContaining({
        at: THURSDAY,
        data: { item: 'food-licence', department: FOOD, step: 'foodInspection', name: STEP },
      }),
    ]);
    expect(now.pauses).toEqual([{ from: T0, to: THURSDAY, reason: 'special-step' }]);
    // Decided in the step: no colour is recorded for it any more, whatever the sweep finds.
    advanceTo(THURSDAY + 7 * DAY);
    await centre.sweep();
    expect(stepCrossings(await centre.getApplication(clerk, app.id))).toEqual([]);
    // The item's 4 days from Monday, with Tuesday to Thursday in the step given back: due Wednesday 2 December.
    const view = await centre.getTask(dept(FOOD), task);
    expect(view.openSpecialStep).toBeUndefined();
    expect(view.deadline).toBe(THURSDAY + 7 * DAY);
  });

  it('does not count the applicant’s supplement time against the department', async () => {
    const { centre, app, task, advanceTo } = await desk();
    advanceTo(TUESDAY);
    const floorPlan = { materialId: 'floorPlan', problem: '平面布局图未标明清洁区与污染区' };
    await centre.requestSupplement(dept(FOOD), task, { entries: [floorPlan] });
    await centre.issueNotice(clerk, app.id);
    // The applicant answers a week later, on Tuesday 2026-12-01: five working days given back.
    advanceTo(TUESDAY + 7 * DAY);
    await centre.supplement(clerk, app.id, { materials: [{ id: 'floorPlan', status: 'provided' }] });
    const view = await centre.getTask(dept(FOOD), task);
    expect(view).toMatchObject({
      deadline: THURSDAY + 7 * DAY,
      remainingWorkingDays: 1,
      timeStatus: 'yellow',
    });
    expect(stepCrossings(await centre.getApplication(clerk, app.id)).map((e) => e.type)).not.toContain(
      'timeLimit.red',
    );
  });
});

describe('a special step deployed before the rule that it needs a limit', () => {
  it('is held to the item’s own limit', () => {
    const app = {
      timeline: [],
      pauses: [],
      items: [
        {
          item: 'x',
          name: { zh: '某事项', en: 'An item' },
          department: 'd',
          status: 'reviewing',
          limitDays: 3,
        },
      ],
    } as unknown as Application;
    const task: Task = {
      id: 'w1',
      instanceId: 'i',
      processId: 'p',
      elementId: 'survey',
      name: '现场踏勘 Site survey',
      state: 'open',
      candidateRoles: [],
      createdAt: T0,
      specialStep: true,
    };
    beginSpecialStep(workingTimeLimits(), app, app.items[0]!, task, T0);
    expect(app.items[0]!.specialSteps).toMatchObject([{ elementId: 'survey', limitDays: 3 }]);
    expect(app.timeline[0]!.data).toMatchObject({ limitDays: 3, dueAt: Date.UTC(2026, 10, 26, 16, 0) });
  });
});
