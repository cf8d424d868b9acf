/** The supervisor's figures computed from listed applications and tasks. */
import {
  computeDashboard,
  cstDateStart,
  filterApplications,
  inRegion,
  netWorkingDays,
  weekdaysOnly,
  workingDaysSpent,
  type AppLike,
  type TaskLike,
} from '../../web/src/lib/metrics.js';

const H = 3_600_000;
const D = 24 * H;
// Monday 2026-03-02 09:00 CST.
const MON = cstDateStart('2026-03-02') + 9 * H;

function app(over: Partial<AppLike> & { id: string }): AppLike {
  return {
    number: over.id.toUpperCase(),
    bundleCode: 'business-startup',
    status: 'in-progress',
    region: '440305',
    createdAt: MON,
    acceptedAt: MON,
    pauses: [],
    items: [],
    evaluations: [],
    timeline: [],
    ...over,
  };
}

test('working time counts only working days, in fractions', () => {
  expect(workingDaysSpent(MON, MON + 6 * H, weekdaysOnly)).toBeCloseTo(0.25);
  // Friday 12:00 → Monday 12:00: half of Friday and half of Monday.
  const fri = MON + 4 * D + 3 * H;
  expect(workingDaysSpent(fri, fri + 3 * D, weekdaysOnly)).toBeCloseTo(1);
  expect(workingDaysSpent(MON, MON - 1, weekdaysOnly)).toBe(0);
  // Supplement pauses do not count.
  expect(
    netWorkingDays(
      MON,
      MON + 2 * D,
      [{ from: MON + D, to: MON + 2 * D, reason: 'supplement' }],
      weekdaysOnly,
    ),
  ).toBeCloseTo(1);
});

test('region filter: a district, a whole city, or all', () => {
  expect(inRegion('440305', '')).toBe(true);
  expect(inRegion('440305', '440305')).toBe(true);
  expect(inRegion('440305', '440300')).toBe(true);
  expect(inRegion('440402', '440300')).toBe(false);
  expect(inRegion(undefined, '440305')).toBe(false);
});

test('date filter on acceptance, inclusive days in CST', () => {
  const apps = [
    app({ id: 'a', acceptedAt: cstDateStart('2026-03-01') + 1 }),
    app({ id: 'b', acceptedAt: cstDateStart('2026-03-03') - 1 }),
    app({ id: 'c', acceptedAt: undefined, createdAt: cstDateStart('2026-03-05') }),
  ];
  expect(filterApplications(apps, { from: '2026-03-02', to: '2026-03-02' }).map((a) => a.id)).toEqual(['b']);
  expect(filterApplications(apps, { from: '2026-03-05' }).map((a) => a.id)).toEqual(['c']);
});

test('on-time rate, average days, backlog colours and evaluations', () => {
  const done = app({
    id: 'done',
    status: 'evaluated',
    deadline: MON + 2 * D,
    timeline: [{ at: MON + D, type: 'results.ready' }],
    items: [
      {
        item: 'reg',
        department: 'market-regulation',
        status: 'approved',
        startedAt: MON,
        decidedAt: MON + 6 * H,
      },
      { item: 'tax', department: 'tax', status: 'approved', startedAt: MON, decidedAt: MON + D },
    ],
    evaluations: [{ level: 5, channel: 'qr' }],
  });
  const late = app({
    id: 'late',
    status: 'delivered',
    deadline: MON + D / 2,
    timeline: [{ at: MON + D, type: 'results.ready' }],
    items: [{ item: 'tax', department: 'tax', status: 'rejected', startedAt: MON, decidedAt: MON + D }],
    evaluations: [{ level: 2, channel: 'web', rectification: { status: 'assigned' } }],
  });
  const open = app({
    id: 'open',
    status: 'in-progress',
    timeStatus: 'red',
    items: [{ item: 'tax', department: 'tax', status: 'reviewing', startedAt: MON }],
  });
  const tasks: TaskLike[] = [
    {
      id: 'done:reg',
      applicationId: 'done',
      department: 'market-regulation',
      status: 'approved',
      deadline: MON + D,
    },
    { id: 'done:tax', applicationId: 'done', department: 'tax', status: 'approved', deadline: MON + 2 * D },
    { id: 'late:tax', applicationId: 'late', department: 'tax', status: 'rejected', deadline: MON + D / 2 },
    {
      id: 'open:tax',
      applicationId: 'open',
      department: 'tax',
      status: 'reviewing',
      timeStatus: 'red',
      deadline: MON,
    },
    {
      id: 'other:tax',
      applicationId: 'elsewhere',
      department: 'tax',
      status: 'reviewing',
      timeStatus: 'yellow',
    },
  ];
  const d = computeDashboard([done, late, open], tasks, {}, weekdaysOnly);
  expect(d).toMatchObject({
    applications: 3,
    accepted: 3,
    open: 1,
    finished: 2,
    onTime: 1,
    onTimeRate: 0.5,
    timeStatus: { normal: 0, yellow: 0, red: 1 },
  });
  expect(d.averageDays).toBeCloseTo(1);
  expect(d.byBundle).toEqual([
    expect.objectContaining({ key: 'business-startup', finished: 2, onTimeRate: 0.5 }),
  ]);
  const tax = d.byDepartment.find((x) => x.key === 'tax')!;
  // The task of an application outside the filter is not counted.
  expect(tax).toMatchObject({ backlog: 1, red: 1, yellow: 0, finished: 2, onTime: 1 });
  const reg = d.byDepartment.find((x) => x.key === 'market-regulation')!;
  expect(reg.averageDays).toBeCloseTo(0.25);
  expect(d.evaluations).toEqual([0, 1, 0, 0, 1]);
  expect(d.satisfaction).toBe(0.5);
  expect(d).toMatchObject({ badReviews: 1, badReviewsOpen: 1 });
  // Nothing finished: no rate rather than 0%.
  expect(computeDashboard([open], tasks, {}, weekdaysOnly).onTimeRate).toBeNull();
  expect(computeDashboard([done, late, open], tasks, { region: '440402' }, weekdaysOnly).applications).toBe(
    0,
  );
});
