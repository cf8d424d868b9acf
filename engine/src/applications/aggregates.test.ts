/** The supervisor's figures computed from stored applications, task rows and rectification cases. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type Doc, type DocQuery } from '../domain/docs.js';
import { SqliteDocStore } from '../domain/docs-sqlite.js';
import { DOC_INDEXES } from '../domain/open-docs.js';
import { DomainError } from '../domain/errors.js';
import { dayOf } from '../jobs/calendar/cst.js';
import {
  AggregateService,
  checkFilter,
  computeAggregates,
  cstDateStart,
  filterApplications,
  inRegion,
  netWorkingDays,
  regionPrefix,
  weekdaysOnly,
  workingDaysSpent,
  type AggregateFilter,
  type AggregateReport,
  type AppLike,
  type IsWorkingDay,
  type RectificationLike,
  type TaskLike,
} from './aggregates.js';
import { CASE_FIGURES, caseFiguresOf } from './case-figures.js';
import { APPLICATIONS, DEPARTMENT_TASKS } from './centre.js';
import { RECTIFICATIONS } from './rectification.js';

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

/** Figures from whole cases and task rows: each case reduced to its figures row, as the Centre writes it. */
function expectedFigures(
  input: {
    apps: readonly AppLike[];
    tasks: readonly TaskLike[];
    rectifications?: readonly RectificationLike[];
    incidents?: Parameters<typeof computeAggregates>[0]['incidents'];
  },
  filter: AggregateFilter,
  isWorking: IsWorkingDay = weekdaysOnly,
) {
  const { apps, tasks, ...rest } = input;
  const cases = apps.map((a) => rowOf(a, tasks, isWorking));
  return computeAggregates({ cases, ...rest }, filter);
}

function rowOf(a: AppLike, tasks: readonly TaskLike[], isWorking: IsWorkingDay = weekdaysOnly, rev = 1) {
  const city = a.region ? `${a.region.slice(0, 4)}00` : undefined;
  const own = tasks.filter((t) => t.applicationId === a.id);
  return caseFiguresOf({ ...a, rev, ...(city ? { city } : {}) }, own, isWorking);
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

test('pauses that overlap are taken off once, as the case clock takes them (a supplement during a special step)', () => {
  // Monday → next Tuesday: six working days. A special step Monday → Thursday, a supplement
  // Tuesday → Wednesday inside it, and one still open from Monday of the next week.
  const pauses: AppLike['pauses'] = [
    { from: MON, to: MON + 3 * D, reason: 'special-step' },
    { from: MON + D, to: MON + 2 * D, reason: 'supplement' },
    { from: MON + 7 * D, reason: 'supplement' },
  ];
  expect(netWorkingDays(MON, MON + 8 * D, pauses, weekdaysOnly)).toBeCloseTo(6 - 3 - 1);
  // The same clock, one pause running into another.
  const chained: AppLike['pauses'] = [
    { from: MON, to: MON + 2 * D, reason: 'special-step' },
    { from: MON + D, to: MON + 3 * D, reason: 'supplement' },
  ];
  expect(netWorkingDays(MON, MON + 4 * D, chained, weekdaysOnly)).toBeCloseTo(1);
});

test('on time means before the deadline: at the deadline itself the clock is red, and so is the figure', () => {
  const deadline = MON + 3 * D;
  const at = (t: number) =>
    rowOf(
      app({
        id: `a${t}`,
        deadline,
        timeline: [{ at: t, type: 'results.ready' }],
        items: [{ item: 'tax', department: 'tax', status: 'approved', startedAt: MON, decidedAt: t }],
      }),
      [{ id: `a${t}:tax`, applicationId: `a${t}`, department: 'tax', state: 'done', deadline }],
    );
  expect([at(deadline - 1).finished?.onTime, at(deadline - 1).decided[0]?.onTime]).toEqual([true, true]);
  expect([at(deadline).finished?.onTime, at(deadline).decided[0]?.onTime]).toEqual([false, false]);
});

test('region filter: a division code prefix — district, city, province, or all', () => {
  expect(regionPrefix('440300')).toBe('4403');
  expect(regionPrefix('440000')).toBe('44');
  expect(regionPrefix('440305')).toBe('440305');
  expect(inRegion('440305', '')).toBe(true);
  expect(inRegion('440305', '440305')).toBe(true);
  expect(inRegion('440305', '440300')).toBe(true);
  expect(inRegion('440305', '4403')).toBe(true);
  expect(inRegion('440305', '44')).toBe(true);
  expect(inRegion('440402', '440300')).toBe(false);
  expect(inRegion('440306', '440305')).toBe(false);
  expect(inRegion(undefined, '440305')).toBe(false);
});

test('filters are checked: real dates in order, division codes, and only inside the supervisor’s region', () => {
  const city: Actor = { userId: 's1', name: 's1', role: 'supervisor', region: '440300' };
  const district: Actor = { userId: 's2', name: 's2', role: 'supervisor', region: '440306' };
  const fields = (actor: Actor, filter: object) => {
    try {
      checkFilter(actor, filter);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      const e = err as DomainError;
      return e.code === 'forbidden' ? ['forbidden'] : e.fieldErrors.map((f) => f.field);
    }
  };
  expect(fields(city, { from: '2026-02-30' })).toEqual(['from']);
  expect(fields(city, { from: '2026-03-05', to: '2026-03-01' })).toEqual(['from']);
  expect(fields(city, { region: '440305001' })).toEqual(['region']);
  expect(fields(city, { region: '440305', from: '2026-03-01', to: '2026-03-01' })).toEqual([]);
  expect(fields(district, { region: '440300' })).toEqual(['forbidden']);
  expect(fields(district, { region: '440305' })).toEqual(['forbidden']);
  expect(fields(district, { region: '440306' })).toEqual([]);
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

/** Three cases (finished on time, finished late, open and red) with their task rows, bad-review cases and incidents. */
function sample() {
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
    evaluations: [{ level: 2, channel: 'web' }],
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
      state: 'done',
      deadline: MON + D,
    },
    { id: 'done:tax', applicationId: 'done', department: 'tax', state: 'done', deadline: MON + 2 * D },
    { id: 'late:tax', applicationId: 'late', department: 'tax', state: 'done', deadline: MON + D / 2 },
    {
      id: 'open:tax',
      applicationId: 'open',
      department: 'tax',
      state: 'claimed',
      timeStatus: 'red',
      deadline: MON,
    },
    {
      id: 'other:tax',
      applicationId: 'elsewhere',
      department: 'tax',
      state: 'open',
      timeStatus: 'yellow',
    },
  ];
  const rectifications = [
    { applicationId: 'late', status: 'rectifying' as const, timeStatus: 'red' as const },
    { applicationId: 'done', status: 'closed' as const, timeStatus: 'normal' as const, onTime: true },
    { applicationId: 'elsewhere', status: 'assigned' as const, timeStatus: 'normal' as const },
  ];
  const incidents = [
    { instanceId: 'i1', processId: 'p', businessKey: 'open', message: 'boom' },
    { instanceId: 'i2', processId: 'p', businessKey: 'elsewhere' },
    { instanceId: 'i3', processId: 'p' },
  ];
  return { done, late, open, tasks, rectifications, incidents };
}

test('on-time rate, average days, backlog colours and evaluations', () => {
  const { done, late, open, tasks, rectifications, incidents } = sample();
  const input = { apps: [done, late, open], tasks, rectifications, incidents };
  const d = expectedFigures(input, {}, weekdaysOnly);
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
  expect(d.badReviews).toBe(1);
  // Cases and incidents of applications outside the filter are not counted.
  expect(d.rectifications).toEqual({
    total: 2,
    byStatus: {
      assigned: 0,
      verifying: 0,
      rectifying: 1,
      explained: 0,
      appealed: 0,
      fedBack: 0,
      closed: 1,
    },
    open: 1,
    overdue: 1,
    done: 1,
    onTime: 1,
    rate: 0.5,
  });
  expect(d.incidents).toEqual({ count: 1, items: [incidents[0]] });
  // Nothing finished: no rate rather than 0%.
  expect(expectedFigures({ apps: [open], tasks }, {}, weekdaysOnly).onTimeRate).toBeNull();
  const elsewhere = expectedFigures(input, { region: '440402' }, weekdaysOnly);
  expect(elsewhere).toMatchObject({ applications: 0, rectifications: { total: 0 }, incidents: { count: 0 } });
});

test("working days: a case on its region's calendar, an item on its deciding office's (跨域通办)", () => {
  // Tuesday 2026-03-03 is a day off in city 440400 only.
  const tuesday = dayOf(MON + D);
  const isWorking: IsWorkingDay = (day, region) =>
    weekdaysOnly(day) && !(day === tuesday && region === '440400');
  const crossCity = app({
    id: 'x',
    region: '440305',
    status: 'delivered',
    timeline: [{ at: MON + 2 * D, type: 'results.ready' }],
    items: [
      {
        item: 'transfer',
        department: 'hrss',
        decidingDepartmentRegion: '440400',
        status: 'approved',
        startedAt: MON,
        decidedAt: MON + 2 * D,
      },
      { item: 'local', department: 'tax', status: 'approved', startedAt: MON, decidedAt: MON + 2 * D },
    ],
  });
  const d = expectedFigures({ apps: [crossCity], tasks: [] }, {}, isWorking);
  expect(d.averageDays).toBeCloseTo(2); // the receiving district works on Tuesday
  const days = Object.fromEntries(d.byDepartment.map((r) => [r.key, r.averageDays]));
  expect(days).toEqual({ hrss: expect.closeTo(1), tax: expect.closeTo(2) });
});

describe('AggregateService', () => {
  const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };

  /** A case as the Centre stores it: its record, its task rows and its figures row. */
  async function storeCase(docs: MemoryDocStore, a: AppLike, tasks: TaskLike[] = []) {
    const saved = await docs.put(APPLICATIONS, { ...a, rev: 0, departments: [] } as AppLike & Doc, 0);
    for (const t of tasks) await docs.replace(DEPARTMENT_TASKS, { ...t, rev: saved.rev });
    await docs.replace(CASE_FIGURES, rowOf(a, tasks, weekdaysOnly, saved.rev));
  }

  /** A store of `count` cases, logging the collection of every read. */
  async function casesStore(count: number) {
    const docs = new MemoryDocStore();
    for (let i = 0; i < count; i++) await storeCase(docs, app({ id: `a${String(i).padStart(5, '0')}` }));
    const reads: string[] = [];
    const find = docs.find.bind(docs);
    docs.find = (collection, query) => {
      reads.push(collection);
      return find(collection, query);
    };
    // A count is no read of documents (SQLite and MongoDB count in their indexes); this store's finds.
    docs.count = async (collection, where) => (await find(collection, where ? { where } : {})).length;
    const service = new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
    return { reads, service };
  }
  const rowReads = (reads: string[]) => reads.filter((c) => c === CASE_FIGURES).length;

  it('lets other work run between the pages it reads, so a large report holds no one else up', async () => {
    const { reads, service } = await casesStore(2500);
    let readsWhenOtherWorkRan: number | undefined;
    setImmediate(() => (readsWhenOtherWorkRan = rowReads(reads)));
    const report = await service.report(supervisor, {});
    expect(report.applications).toBe(2500);
    // Three pages of figures rows; the other work ran after the first, not after the whole report.
    expect(rowReads(reads)).toBe(3);
    expect(readsWhenOtherWorkRan).toBe(1);
  });

  it("counts once, as accepted, a case accepted while a period's report reads", async () => {
    // 1,500 drafts created in the period, and two cases at the window: one whose id comes in the
    // first page of the drafts' read and one whose id comes after it.
    const docs = new MemoryDocStore();
    const atWindow = (id: string) => app({ id, status: 'submitted', acceptedAt: undefined });
    for (let i = 0; i < 1500; i++) await storeCase(docs, atWindow(`d${String(i).padStart(5, '0')}`));
    await storeCase(docs, atWindow('a-early'));
    await storeCase(docs, atWindow('z-late'));
    const find = docs.find.bind(docs);
    let accepting = true;
    docs.find = async (collection, query) => {
      const found = await find(collection, query);
      if (accepting && collection === CASE_FIGURES) {
        // A clerk accepts both while the report waits between its first and second page (the
        // case and its row in one commit, as the Centre saves).
        accepting = false;
        for (const id of ['a-early', 'z-late']) {
          const stored = (await docs.get<AppLike & Doc>(APPLICATIONS, id))!;
          const accepted = { ...stored, status: 'in-progress' as const, acceptedAt: MON + H };
          const saved = await docs.put(APPLICATIONS, accepted, stored.rev);
          await docs.replace(CASE_FIGURES, rowOf(accepted, [], weekdaysOnly, saved.rev));
        }
      }
      return found as never;
    };
    const service = new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
    const report = await service.report(supervisor, { from: '2026-03-02', to: '2026-03-02' });
    expect(report).toMatchObject({ applications: 1502, accepted: 2, open: 2 });
  });

  it('counts a case stored before the figures rows from its record and task rows, in scope and in a period', async () => {
    const docs = new MemoryDocStore();
    const { done, late, open, tasks } = sample();
    const elsewhere = app({ id: 'far', region: '440402', acceptedAt: MON + 9 * D });
    await storeCase(
      docs,
      done,
      tasks.filter((t) => t.applicationId === 'done'),
    );
    await storeCase(docs, elsewhere);
    // Stored before the projection: a record and task rows, no figures row.
    for (const old of [late, open]) {
      await docs.put(APPLICATIONS, { ...old, rev: 0, departments: [], city: '440300' } as AppLike & Doc, 0);
      for (const t of tasks.filter((t) => t.applicationId === old.id))
        await docs.replace(DEPARTMENT_TASKS, { ...t, rev: 1 });
    }
    const service = new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
    const district: Actor = { ...supervisor, userId: 'sup2', region: '440305' };
    const cases: [Actor, AggregateFilter, AppLike[]][] = [
      [supervisor, {}, [done, late, open, elsewhere]],
      [supervisor, { from: '2026-03-02', to: '2026-03-02' }, [done, late, open, elsewhere]],
      [district, { from: '2026-03-01' }, [done, late, open]],
    ];
    for (const [actor, filter, apps] of cases) {
      const {
        filter: _f,
        regions: _r,
        generatedAt: _g,
        scope: _s,
        ...figures
      } = await service.report(actor, filter);
      expect(figures).toEqual(expectedFigures({ apps, tasks }, filter));
      expect(figures.applications).toBeGreaterThan(0);
    }
  });

  it('runs one report at a time, and gives askers of the same report the one already under way', async () => {
    const { reads, service } = await casesStore(2500);
    const [first, same, other] = await Promise.all([
      service.report(supervisor, {}),
      service.report(supervisor, {}),
      service.report(supervisor, { region: '440305' }),
    ]);
    expect(same).toBe(first);
    expect(other).not.toBe(first);
    // Neither the cases nor their task rows: their figures rows.
    const one = [CASE_FIGURES, CASE_FIGURES, CASE_FIGURES, RECTIFICATIONS];
    expect(reads).toEqual([...one, ...one]);
    // Once it has ended, the same report is made afresh.
    expect(await service.report(supervisor, {})).not.toBe(first);
  });
});

describe('AggregateService on a SQLite file', () => {
  const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };
  let dir: string;
  let docs: SqliteDocStore;
  /** The store's finds: collection, query and how many documents each returned. */
  let finds: { collection: string; query: DocQuery | undefined; returned: number }[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'figures-'));
    docs = new SqliteDocStore(path.join(dir, 'docs.db'), DOC_INDEXES);
    finds = [];
    const find = docs.find.bind(docs);
    docs.find = async (collection, query) => {
      const found = await find(collection, query);
      finds.push({ collection, query, returned: found.length });
      return found as never;
    };
  });
  afterEach(() => {
    docs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function store(apps: AppLike[], tasks: TaskLike[], rectifications: RectificationLike[] = []) {
    for (const a of apps) {
      const city = a.region ? `${a.region.slice(0, 4)}00` : undefined;
      const doc = {
        ...a,
        rev: 0,
        departments: [],
        data: { companyName: '某某科技有限公司' },
        ...(city ? { city } : {}),
      };
      await docs.put(APPLICATIONS, doc, 0);
    }
    for (const t of tasks) await docs.put(DEPARTMENT_TASKS, { ...t, rev: 0 }, 0);
    for (const a of apps) await docs.replace(CASE_FIGURES, rowOf(a, tasks));
    for (const [i, c] of rectifications.entries())
      await docs.put(RECTIFICATIONS, { ...c, id: `r${i}`, rev: 0 }, 0);
    return new AggregateService({ docs, incidents: async () => [], isWorking: weekdaysOnly });
  }
  const reportFigures = ({
    filter: _f,
    regions: _r,
    generatedAt: _g,
    scope: _s,
    ...figures
  }: AggregateReport) => figures;

  it('reads the figures rows, not the cases and their task rows, with the figures whole cases give', async () => {
    const { done, late, open, tasks, rectifications } = sample();
    const apps = [done, late, { ...open, pauses: [{ from: MON, to: MON + H, reason: 'supplement' }] }];
    const service = await store(apps, tasks, rectifications);
    const report = await service.report(supervisor, {});
    expect(reportFigures(report)).toEqual(expectedFigures({ apps, tasks, rectifications }, {}, weekdaysOnly));
    expect(finds.map((f) => f.collection)).toEqual([CASE_FIGURES, RECTIFICATIONS]);
  });

  it('counts the cases accepted on the first and up to the last instant of a period, past a page of them', async () => {
    const from = cstDateStart('2026-03-02');
    const end = cstDateStart('2026-03-04') + D; // the first instant after the period
    const acceptedAt = [...Array.from({ length: 1200 }, () => from), from - 1, end - 1, end - 1, end, end];
    const apps = acceptedAt.map((at, i) =>
      app({ id: `c${String(i).padStart(4, '0')}`, acceptedAt: at, createdAt: at - H }),
    );
    const service = await store(apps, []);
    const filter = { from: '2026-03-02', to: '2026-03-04' };
    const report = await service.report(supervisor, filter);
    expect(report.applications).toBe(1202);
    expect(reportFigures(report)).toEqual(expectedFigures({ apps, tasks: [] }, filter, weekdaysOnly));
  });

  it("reads a period's cases through the acceptance dates, with the figures of every case filtered", async () => {
    // 40 cases accepted twelve hours apart from Monday 2026-03-02 in two districts, and 6 not
    // accepted, created a day apart; each with a task row, the accepted ones decided.
    const apps: AppLike[] = [];
    const tasks: TaskLike[] = [];
    for (let i = 0; i < 46; i++) {
      const id = `c${String(i).padStart(2, '0')}`;
      const region = i % 3 ? '440305' : '440306';
      const at = MON + i * (D / 2);
      const accepted = i < 40;
      apps.push(
        app({
          id,
          region,
          status: accepted ? 'in-progress' : 'submitted',
          createdAt: accepted ? at - H : MON + (i - 40) * D,
          acceptedAt: accepted ? at : undefined,
          items: accepted
            ? [{ item: 'tax', department: 'tax', status: 'approved', startedAt: at, decidedAt: at + H }]
            : [],
          timeline: accepted ? [{ at: at + H, type: 'results.ready' }] : [],
        }),
      );
      if (accepted)
        tasks.push({
          id: `${id}:tax`,
          applicationId: id,
          department: 'tax',
          state: i % 4 ? 'done' : 'open',
          deadline: at + D,
        });
    }
    const service = await store(apps, tasks);
    const district: Actor = { ...supervisor, userId: 'sup2', region: '440305' };
    const cases: [Actor, AggregateFilter][] = [
      [supervisor, { from: '2026-03-12' }],
      [supervisor, { to: '2026-03-03' }],
      [supervisor, { from: '2026-03-04', to: '2026-03-06' }],
      [district, { from: '2026-03-05', to: '2026-03-09' }],
      [supervisor, { from: '2026-03-05', to: '2026-03-09', region: '440306' }],
    ];
    for (const [actor, filter] of cases) {
      const inScope = apps.filter((a) => !actor.region || a.region === actor.region);
      const expected = expectedFigures({ apps: inScope, tasks }, filter, weekdaysOnly);
      finds = [];
      const report = await service.report(actor, filter);
      expect(reportFigures(report)).toEqual(expected);
      expect(report.applications).toBeGreaterThan(0);
      const counted = filterApplications(inScope, { ...filter, region: undefined });
      expect(report.regions).toEqual([...new Set(counted.map((a) => a.region))].sort());
    }
    // From 2026-03-12 on: the 20 accepted since and the 6 not accepted, not the 20 accepted before.
    finds = [];
    await service.report(supervisor, { from: '2026-03-12' });
    const read = (c: string) => finds.filter((f) => f.collection === c).reduce((n, f) => n + f.returned, 0);
    expect(read(CASE_FIGURES)).toBe(26);
    expect(read(APPLICATIONS) + read(DEPARTMENT_TASKS)).toBe(0);
  });
});
