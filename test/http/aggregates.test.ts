/**
 * The supervisor's figures over the real HTTP server on a SQLite store: four business start-ups
 * in two districts (one finished late, one rejected and given a bad review, two overdue), read as
 * a city supervisor and as a district supervisor, filtered by date and region, and exported as
 * CSV with a BOM.
 */
import {
  ANSWERS,
  DATA,
  DAY,
  DEPARTMENT_OF,
  startCentreServer,
  taskId,
  type CentreServer,
} from './centre-fixture.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { expectProblem } from './support.js';

let s: CentreServer;
const ids: Record<string, string> = {};
/** The demo users' administrative divisions: clerk1's and clerk2's districts, supervisor1's city. */
let HOME: string;
let OTHER: string;
let CITY: string;

/** A business start-up accepted by `clerk` (whose district the case then belongs to). */
async function accepted(clerk: string): Promise<string> {
  const app = await s.ok('POST', '/api/applications', {
    as: clerk,
    body: {
      bundleCode: 'business-startup',
      answers: ANSWERS,
      data: DATA,
      applicant: { kind: 'person', name: '王五', idNumber: '440402199003071232', userId: 'applicant2' },
    },
  });
  await s.ok('POST', `/api/applications/${app.id}/submit`, { as: clerk });
  await s.ok('POST', `/api/applications/${app.id}/accept`, {
    as: clerk,
    body: {
      materials: [
        { id: 'identityProof', status: 'provided' },
        { id: 'premisesProof', status: 'provided' },
      ],
    },
  });
  return app.id;
}

const approve = (appId: string, item: string) =>
  s.ok('POST', `/api/tasks/${taskId(appId, item)}/approve`, {
    as: `${DEPARTMENT_OF[item]}1`,
    body: approvalOf(item),
  });

beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
  HOME = s.users.get('clerk1')!.region!.slice(0, 6);
  OTHER = s.users.get('clerk2')!.region!.slice(0, 6);
  CITY = s.users.get('supervisor1')!.region!;
  // supervisor2 watches clerk2's district only.
  expect([HOME === OTHER, s.users.get('supervisor2')!.region, CITY.endsWith('00')]).toEqual([
    false,
    OTHER,
    true,
  ]);
  // Monday 09:00: A starts (registration approved at once), B is rejected, delivered, rated 1 star.
  ids.a = await accepted('clerk1');
  await approve(ids.a, 'enterprise-registration');
  ids.b = await s.caseIn('delivered');
  await s.ok('POST', `/api/applications/${ids.b}/evaluation`, {
    as: 'applicant1',
    body: { channel: 'web', level: 1 },
  });
  // Wednesday: C in clerk1's district, D in clerk2's.
  s.advance(2 * DAY);
  ids.c = await accepted('clerk1');
  ids.d = await accepted('clerk2');
  // Thursday: A's other six items decided — two days after its one-day limit — delivered, rated 5.
  s.advance(DAY);
  for (const item of Object.keys(DEPARTMENT_OF))
    if (item !== 'enterprise-registration') await approve(ids.a, item);
  await s.ok('POST', `/api/applications/${ids.a}/deliver`, { as: 'clerk1', body: { channel: 'window' } });
  await s.ok('POST', `/api/applications/${ids.a}/evaluation`, {
    as: 'applicant2',
    body: { channel: 'app', level: 5 },
  });
  // The next Monday: C and D are overdue.
  s.advance(4 * DAY);
  await s.centre.sweep(s.now());
}, 180_000);

afterAll(async () => {
  await s?.close();
});

const figures = (as: string, query = '') => s.ok('GET', `/api/metrics/aggregates${query}`, { as });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
const department = (report: any, key: string): any =>
  report.byDepartment.find((d: { key: string }) => d.key === key);

test('the city supervisor sees every case: on-time rate, working days, backlog, evaluations, rectification', async () => {
  const r = await figures('supervisor1');
  expect(r).toMatchObject({
    applications: 4,
    accepted: 4,
    open: 2,
    finished: 2,
    onTime: 1,
    onTimeRate: 0.5,
    timeStatus: { normal: 0, yellow: 0, red: 2 },
    evaluations: [1, 0, 0, 0, 1],
    satisfaction: 0.5,
    badReviews: 1,
    rectifications: { total: 1, open: 1, overdue: 0, done: 0, byStatus: { assigned: 1, closed: 0 } },
    incidents: { count: 0, items: [] },
    regions: [HOME, OTHER].sort(),
    scope: CITY,
  });
  // A: Monday 09:00 → Thursday 09:00 = 3 working days; B: decided at acceptance = 0.
  expect(r.averageDays).toBeCloseTo(1.5);
  expect(r.byBundle).toEqual([
    expect.objectContaining({ key: 'business-startup', applications: 4, finished: 2, onTime: 1 }),
  ]);
  // Registration: A and B decided at once; C and D open and red.
  expect(department(r, 'market-regulation')).toMatchObject({
    finished: 2,
    onTime: 2,
    onTimeRate: 1,
    averageDays: 0,
    backlog: 2,
    red: 2,
  });
  // Tax decided A's item two days after its task opened (1-day limit): late.
  const tax = department(r, 'tax');
  expect(tax).toMatchObject({ finished: 1, onTime: 0, onTimeRate: 0 });
  expect(tax.averageDays).toBeCloseTo(3);
});

test('the figures agree with what the task and application lists say', async () => {
  const r = await figures('supervisor1');
  const open = await s.ok('GET', '/api/tasks?limit=100&department=market-regulation&state=open', {
    as: 'supervisor1',
  });
  const reg = department(r, 'market-regulation')!;
  expect(open.items).toHaveLength(reg.backlog);
  expect(open.items.filter((t: { timeStatus: string }) => t.timeStatus === 'red')).toHaveLength(reg.red);
  const apps = await s.ok('GET', '/api/applications?limit=100', { as: 'supervisor1' });
  expect(apps.items).toHaveLength(r.applications);
  const red = await s.ok('GET', '/api/applications?limit=100&timeStatus=red', { as: 'supervisor1' });
  expect(red.items).toHaveLength(r.timeStatus.red);
});

test('a district supervisor sees only the district; filters by region and acceptance date', async () => {
  const district = await figures('supervisor2');
  expect(district).toMatchObject({ applications: 1, open: 1, regions: [OTHER], scope: OTHER });
  expect(department(district, 'market-regulation')).toMatchObject({ backlog: 1, red: 1, finished: 0 });

  expect(await figures('supervisor1', `?region=${HOME}`)).toMatchObject({ applications: 3, finished: 2 });
  expect(await figures('supervisor1', `?region=${CITY.slice(0, 4)}`)).toMatchObject({ applications: 4 });
  expect(await figures('supervisor1', `?region=${CITY.slice(0, 4)}99`)).toMatchObject({
    applications: 0,
    byDepartment: [],
  });
  const late = await figures('supervisor1', '?from=2026-11-25&to=2026-11-25');
  expect(late).toMatchObject({
    applications: 2,
    finished: 0,
    onTimeRate: null,
    rectifications: { total: 0 },
  });
  const early = await figures('supervisor1', '?to=2026-11-24');
  expect(early).toMatchObject({ applications: 2, finished: 2, open: 0, rectifications: { total: 1 } });
});

test('bad filters and other roles get problem+json naming the field', async () => {
  const date = expectProblem(
    await s.call('GET', '/api/metrics/aggregates?from=2026-02-30', { as: 'supervisor1' }),
    422,
  );
  expect(date.errors.map((e: { field: string }) => e.field)).toEqual(['from']);
  const order = expectProblem(
    await s.call('GET', '/api/metrics/aggregates?from=2026-11-30&to=2026-11-01', { as: 'supervisor1' }),
    422,
  );
  expect(order.errors[0]).toMatchObject({ field: 'from', message: { zh: '开始日期晚于结束日期' } });
  const town = expectProblem(
    await s.call('GET', `/api/metrics/aggregates?region=${HOME}001`, {
      as: 'supervisor1',
      headers: { 'accept-language': 'en' },
    }),
    422,
  );
  expect(town.errors[0].field).toBe('region');
  expect(town.detail).toBe('the filter is invalid');
  expectProblem(await s.call('GET', '/api/metrics/aggregates?region=abc', { as: 'supervisor1' }), 400);
  expectProblem(await s.call('GET', `/api/metrics/aggregates?region=${CITY}`, { as: 'supervisor2' }), 403);
  expectProblem(await s.call('GET', `/api/metrics/aggregates?region=${HOME}`, { as: 'supervisor2' }), 403);
  for (const who of ['clerk1', 'tax1', 'applicant1', 'analyst1'])
    expectProblem(await s.call('GET', '/api/metrics/aggregates', { as: who }), 403);
  expectProblem(await s.call('GET', '/api/metrics/aggregates/csv'), 401);
});

test('CSV export: UTF-8 with a BOM, headers in the reader’s language, named as an attachment', async () => {
  const res = await fetch(`${s.base}/api/metrics/aggregates/csv?table=departments`, {
    headers: { authorization: `Bearer ${await s.token('supervisor1')}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="departments-2026-11-30.csv"');
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  expect(lines[0]).toBe('部门,部门代码,在办,正常,预警,超期,已办结,按时办结,按时办结率(%),平均用时(工作日)');
  const reg = lines.find((l) => l.includes(',market-regulation,'))!;
  expect(reg.split(',').slice(1, 10)).toEqual([
    'market-regulation',
    '2',
    '0',
    '0',
    '2',
    '2',
    '2',
    '100',
    '0',
  ]);
  expect(reg.split(',')[0]).toMatch(/市场/);

  const en = await s.call('GET', `/api/metrics/aggregates/csv?table=summary&region=${OTHER}`, {
    as: 'supervisor2',
    headers: { 'accept-language': 'en' },
  });
  const rows = String(en.text)
    .replace(/^\uFEFF/, '')
    .split('\r\n');
  expect(rows[0]).toBe('Figure,Value');
  expect(rows).toEqual(
    expect.arrayContaining(['Applications,1', 'Overdue (red),1', 'Rectification cases,0']),
  );
  const bundles = await s.call('GET', '/api/metrics/aggregates/csv?table=bundles', { as: 'supervisor1' });
  expect(String(bundles.text).split('\r\n')[1]).toMatch(/,business-startup,4,2,1,50,1\.5$/);
  expectProblem(await s.call('GET', '/api/metrics/aggregates/csv?table=all', { as: 'supervisor1' }), 400);
});
