/** The supervisor figures' projection: written by the Centre with every save, rebuilt at start. */
import { samples } from '../../../forms/src/testing/samples.js';
import type { Actor } from '../domain/actor.js';
import { MemoryDocStore, type Doc } from '../domain/docs.js';
import { defaultCalendar } from '../jobs/calendar/index.js';
import { createEngine } from '../index.js';
import { calendarRegionOf } from '../network/calendar-region.js';
import { loadNetworkFile, ZHUHAI_NETWORK_FILE } from '../network/index.js';
import {
  AFTER_REGISTRATION,
  analyst,
  applicantActor,
  clerk,
  dept,
  example,
  externalLicence,
  HOLDER,
  T0,
} from '../testing/centre-fixtures.js';
import { approvalOf } from '../testing/item-outputs.js';
import { AggregateService, computeAggregates, type AggregateReport } from './aggregates.js';
import {
  CASE_FIGURES,
  currentCaseFigures,
  FIGURES_VERSION,
  workingDaysOf,
  type CaseFigures,
} from './case-figures.js';
import { APPLICATIONS, Centre } from './centre.js';
import { workingTimeLimits } from './working-time.js';

const H = 3_600_000;
const D = 24 * H;
const IDENTITY = { id: 'identityProof', status: 'eLicence' as const, licenceId: 'resident-id-card:RID-1' };
const taskOf = (appId: string, item: string) => `${appId}:${item}`;
const REG_OUTPUTS = approvalOf('enterprise-registration');
const supervisor: Actor = { userId: 'sup', name: '监察', role: 'supervisor' };
const isWorking = workingDaysOf(workingTimeLimits());

async function setUp() {
  let now = T0;
  const docs = new MemoryDocStore();
  const centre = new Centre({
    engine: createEngine({ clock: () => now }),
    docs,
    timeLimits: workingTimeLimits(),
    clock: () => now,
    network: loadNetworkFile(ZHUHAI_NETWORK_FILE),
  });
  await centre.deployBundle(analyst, example('business-startup'));
  await externalLicence(centre, 'resident-id-card', 'RID-1');
  const draft = (by: Actor = clerk) => {
    const { situation, ...data } = samples['business-startup']!;
    return centre.createApplication(by, {
      bundleCode: 'business-startup',
      answers: situation!,
      data,
      applicant: { kind: 'person', name: '张三', idNumber: HOLDER, userId: 'zhangsan' },
    });
  };
  const accepted = async (by: Actor = clerk) => {
    const app = await draft(by);
    return centre.accept(by, app.id, { materials: [IDENTITY, { id: 'premisesProof', status: 'provided' }] });
  };
  return { docs, centre, draft, accepted, advance: (ms: number) => (now += ms) };
}

/**
 * Cases in every state a report counts, each step a day or so apart: a draft, one just accepted,
 * one waiting for a supplement, one delivered and rated 2 (a bad review), one received in a town
 * of 440403 whose registration the 440402 office decided (跨域通办), and a sweep days later that
 * colours the open ones.
 */
async function centreWithCases() {
  const s = await setUp();
  const { centre, advance } = s;
  await s.draft();
  const open = await s.accepted();
  const supplement = await s.accepted();
  const done = await s.accepted();
  const townClerk: Actor = { ...clerk, userId: 'baijiao1', region: '440403102', venue: 'baijiao-centre' };
  const crossDistrict = await s.accepted(townClerk);
  advance(D + 3 * H);
  for (const id of [supplement.id, done.id, crossDistrict.id])
    await centre.approve(dept('market-regulation'), taskOf(id, 'enterprise-registration'), REG_OUTPUTS);
  advance(2 * D);
  await centre.requestSupplement(dept('public-security'), taskOf(supplement.id, 'seal-filing'), {
    entries: [{ problem: '印章样式不清晰', materialId: 'sealFilingForm' }],
  });
  for (const [department, item] of AFTER_REGISTRATION) {
    advance(5 * H);
    await centre.approve(dept(department), taskOf(done.id, item), {});
  }
  advance(D);
  await centre.deliver(clerk, done.id, { channel: 'window' });
  await centre.evaluate(applicantActor, done.id, { channel: 'app', level: 2 });
  advance(12 * D);
  const swept = await centre.sweep(T0 + 17 * D);
  return {
    ...s,
    ids: { open: open.id, supplement: supplement.id, done: done.id, crossDistrict: crossDistrict.id },
    swept,
  };
}

const figuresOf = ({ filter: _f, regions: _r, generatedAt: _g, scope: _s, ...figures }: AggregateReport) =>
  figures;

describe('figures rows the Centre writes', () => {
  it('follow every save: each row is what its case and task rows give now, and the report is theirs', async () => {
    const { docs, ids, swept } = await centreWithCases();
    expect(swept.recoloured).toBeGreaterThan(0);
    const cases = await docs.find<Doc>(APPLICATIONS);
    const rows = await docs.find<CaseFigures>(CASE_FIGURES);
    expect(rows.map((r) => [r.id, r.rev])).toEqual(cases.map((c) => [c.id, c.rev]));
    for (const row of rows) expect(row).toEqual(await currentCaseFigures(docs, row.id, isWorking));

    const report = await new AggregateService({ docs, incidents: async () => [], isWorking }).report(
      supervisor,
      {},
    );
    expect(figuresOf(report)).toEqual(computeAggregates({ cases: rows }, {}));
    // By hand: five cases, four accepted, one finished and delivered, rated 2.
    expect(report).toMatchObject({
      applications: 5,
      accepted: 4,
      open: 3,
      finished: 1,
      // A supplement asked of one item leaves the case in progress while its other items are decided.
      byStatus: { draft: 1, 'in-progress': 3, evaluated: 1 },
      evaluations: [0, 1, 0, 0, 0],
      badReviews: 1,
    });
    expect(report.timeStatus.normal).toBeLessThan(3); // the sweep coloured the open cases
    const byDepartment = Object.fromEntries(report.byDepartment.map((d) => [d.key, d]));
    // Registration decided in three cases (one by the 440402 office for a 440403 town).
    expect(byDepartment['market-regulation']).toMatchObject({ finished: 3, backlog: 1 });
    // Public security: the supplement it asked for and the cross-district seal filing; not the
    // seal filing of the case whose registration is undecided (waiting).
    expect(byDepartment['public-security']).toMatchObject({ finished: 1, backlog: 2 });
    const row = (id: string) => rows.find((r) => r.id === id)!;
    // Promised in one working day, decided over several: late.
    expect(row(ids.done).finished).toEqual({ onTime: false, days: expect.any(Number) });
    expect(row(ids.done).finished!.days).toBeGreaterThan(1);
    expect(row(ids.crossDistrict)).toMatchObject({
      region: '440403',
      decided: [{ department: 'market-regulation' }],
    });
  });

  it('count its registration on the deciding office’s calendar, the case on its own', async () => {
    const { docs, ids } = await centreWithCases();
    const app = (await docs.get<{ items: { item: string; decidingDepartmentRegion?: string }[] } & Doc>(
      APPLICATIONS,
      ids.crossDistrict,
    ))!;
    const registration = app.items.find((i) => i.item === 'enterprise-registration')!;
    expect(registration.decidingDepartmentRegion).toBe('440402');
    const onlyIn440402: typeof isWorking = (day, region) => region !== '440402' && isWorking(day, region);
    // Counted on the 440402 calendar: one where 440402 never works gives 0 days.
    const row = (await currentCaseFigures(docs, ids.crossDistrict, onlyIn440402))!;
    expect(row.decided[0]!.days).toBe(0);
    expect((await docs.get<CaseFigures>(CASE_FIGURES, ids.crossDistrict))!.decided[0]!.days).toBeGreaterThan(
      0,
    );
  });
});

describe('Centre.reprojectCaseFigures (server start)', () => {
  it('writes the rows of cases that have none or an older one, once; the report counts them meanwhile', async () => {
    const { docs, ids } = await centreWithCases();
    const service = new AggregateService({ docs, incidents: async () => [], isWorking });
    const before = figuresOf(await service.report(supervisor, {}));
    // As stored before the projection: no rows; and one case written outside the Centre since its row.
    const rows = await docs.find<CaseFigures>(CASE_FIGURES);
    const bare = new MemoryDocStore();
    for (const c of await docs.find<Doc>(APPLICATIONS)) await bare.replace(APPLICATIONS, c);
    for (const t of await docs.find<Doc>('departmentTasks')) await bare.replace('departmentTasks', t);
    const stale = rows.find((r) => r.id === ids.done)!;
    await bare.replace(CASE_FIGURES, { ...stale, rev: stale.rev - 1, evaluations: [] });
    const moved = new Centre({ engine: createEngine(), docs: bare, timeLimits: workingTimeLimits() });
    const bareService = new AggregateService({ docs: bare, incidents: async () => [], isWorking });
    // Before the rows are written, the report makes the missing ones from the cases.
    const {
      evaluations: _e,
      satisfaction: _s,
      badReviews: _b,
      ...meanwhile
    } = figuresOf(await bareService.report(supervisor, {}));
    const { evaluations: _e2, satisfaction: _s2, badReviews: _b2, ...expected } = before;
    expect(meanwhile).toEqual(expected);
    expect(await moved.reprojectCaseFigures()).toBe(rows.length);
    expect(await bare.find(CASE_FIGURES)).toEqual(rows);
    expect(await moved.reprojectCaseFigures()).toBe(0);
    expect(figuresOf(await bareService.report(supervisor, {}))).toEqual(before);
  });

  it('makes again every row of an earlier version (none: the first), at the rev it has', async () => {
    const { docs, centre } = await centreWithCases();
    const rows = await docs.find<CaseFigures>(CASE_FIGURES);
    const [first, second] = rows;
    // As an earlier version wrote them: no v, and (the fault it had) other days.
    const { v: _v, ...unversioned } = { ...first!, finished: { onTime: true, days: -1 } };
    await docs.replace(CASE_FIGURES, unversioned);
    await docs.replace(CASE_FIGURES, { ...second!, v: FIGURES_VERSION - 1, decided: [] });
    expect(await centre.reprojectCaseFigures()).toBe(2);
    expect(await docs.find(CASE_FIGURES)).toEqual(rows);
    expect(await centre.reprojectCaseFigures()).toBe(0);
  });
});

test('a working day is the calendar’s, in the nearest calendar region, as the router counted it', () => {
  const calendar = defaultCalendar();
  const first = Math.floor(Date.UTC(2026, 0, 1) / D);
  for (const region of [undefined, '440402', '440403102', '110105'])
    for (let day = first; day < first + 366; day++)
      expect([day, region, isWorking(day, region)]).toEqual([
        day,
        region,
        calendar.isWorking(day, region ? calendarRegionOf(calendar, region) : undefined),
      ]);
});
