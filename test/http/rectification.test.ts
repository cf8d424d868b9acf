/**
 * 差评整改 over the real HTTP server on a SQLite store: a bad review opens a case for the
 * responsible department, which contacts, verifies, rectifies and feeds back; the revisit closes
 * it; an appeal goes to the supervisor. Scoping, problem+json errors, audit, paging and the
 * yellow/red clock.
 */
import { RectificationDesk } from '../../engine/src/applications/rectification.js';
import { workingTimeLimits } from '../../engine/src/applications/working-time.js';
import { DAY, startCentreServer, type CentreServer } from './centre-fixture.js';
import { expectProblem } from './support.js';

let s: CentreServer;
let first: string;
let second: string;

beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
  first = await s.caseIn('delivered');
  second = await s.caseIn('delivered');
}, 120_000);

afterAll(async () => {
  await s?.close();
});

const evaluate = (id: string, channel: string, level: number) =>
  s.ok('POST', `/api/applications/${id}/evaluation`, {
    as: 'applicant1',
    body: { channel, level, comment: '等了很久' },
  });

test('a good review opens nothing; a bad one opens one case for the responsible department', async () => {
  await evaluate(first, 'app', 4);
  expect((await s.ok('GET', '/api/rectifications', { as: 'supervisor1' })).items).toEqual([]);

  const app = await evaluate(first, 'web', 1);
  const bad = app.evaluations.find((e: { channel: string }) => e.channel === 'web');
  expect(bad.rectification).toMatchObject({ status: 'assigned', caseId: `${first}:web` });

  const list = await s.ok('GET', '/api/rectifications', { as: 'supervisor1' });
  expect(list.items).toHaveLength(1);
  expect(list.items[0]).toMatchObject({
    id: `${first}:web`,
    applicationId: first,
    level: 1,
    department: 'market-regulation',
    status: 'assigned',
    timeStatus: 'normal',
    remainingWorkingDays: 15,
  });
  // The deadline is 15 working days after the evaluation (a Monday + 3 weeks, 24:00 CST).
  expect(list.items[0].deadline).toBeGreaterThan(s.now() + 20 * DAY);
  expect(list.items[0].deadline).toBeLessThan(s.now() + 23 * DAY);
});

test('a department sees only its own cases; clerks none; a district supervisor not another district', async () => {
  const id = `${first}:web`;
  expect((await s.ok('GET', '/api/rectifications', { as: 'tax1' })).items).toEqual([]);
  expectProblem(await s.call('GET', `/api/rectifications/${id}`, { as: 'tax1' }), 404);
  expectProblem(await s.call('GET', '/api/rectifications?department=market-regulation', { as: 'tax1' }), 403);
  expectProblem(await s.call('GET', '/api/rectifications', { as: 'clerk1' }), 403);
  expectProblem(await s.call('GET', `/api/rectifications/${id}`, { as: 'supervisor2' }), 404);
  expect((await s.ok('GET', '/api/rectifications', { as: 'supervisor2' })).items).toEqual([]);
  const mine = await s.ok('GET', '/api/rectifications', { as: 'market-regulation1' });
  expect(mine.items.map((c: { id: string }) => c.id)).toEqual([id]);
  // Another department may not act on it either.
  expectProblem(
    await s.call('POST', `/api/rectifications/${id}/contact`, { as: 'tax1', body: { note: 'x' } }),
    404,
  );
});

test('contact → verify (valid) → feedback with measures → revisit closes it; every step audited', async () => {
  const id = `${first}:web`;
  const as = 'market-regulation1';
  // Steps out of order are refused with the state named.
  const early = expectProblem(
    await s.call('POST', `/api/rectifications/${id}/verify`, { as, body: { finding: 'valid' } }),
    409,
  );
  expect(early.en.detail).toMatch(/assigned/);

  s.advance(DAY);
  const contacted = await s.ok('POST', `/api/rectifications/${id}/contact`, {
    as,
    body: { note: '已电话联系申请人，了解情况' },
  });
  expect(contacted).toMatchObject({ status: 'verifying', contact: { by: as } });

  // A finding other than "valid" needs a reason, named as a field error in both languages.
  const missing = expectProblem(
    await s.call('POST', `/api/rectifications/${id}/verify`, { as, body: { finding: 'no-basis' } }),
    422,
  );
  expect(missing.errors[0]).toMatchObject({ field: 'reason', message: { zh: '必填', en: 'required' } });
  const wrong = expectProblem(
    await s.call('POST', `/api/rectifications/${id}/verify`, { as, body: { finding: 'maybe' } }),
    422,
  );
  expect(wrong.errors[0].field).toMatch(/finding/);

  const verified = await s.ok('POST', `/api/rectifications/${id}/verify`, {
    as,
    body: { finding: 'valid', plan: '优化名称核准流程' },
  });
  expect(verified).toMatchObject({ status: 'rectifying', finding: { result: 'valid' } });

  const noMeasures = expectProblem(
    await s.call('POST', `/api/rectifications/${id}/feedback`, { as, body: { message: '已整改' } }),
    422,
  );
  expect(noMeasures.errors[0].field).toBe('measures');

  s.advance(DAY);
  const fedBack = await s.ok('POST', `/api/rectifications/${id}/feedback`, {
    as,
    body: { message: '已整改并向您说明', measures: '名称自主申报当日完成' },
  });
  expect(fedBack).toMatchObject({ status: 'fedBack', onTime: true });

  // The applicant's application shows the real status; the applicant's view has no internal notes.
  const app = await s.ok('GET', `/api/applications/${first}`, { as: 'applicant1' });
  expect(app.evaluations.find((e: { channel: string }) => e.channel === 'web').rectification.status).toBe(
    'fedBack',
  );
  const seen = await s.ok('GET', `/api/rectifications?applicationId=${first}`, { as: 'applicant1' });
  expect(seen.items).toHaveLength(1);
  expect(seen.items[0].feedback.message).toBe('已整改并向您说明');
  expect(seen.items[0].timeline).toBeUndefined();
  expect(seen.items[0].contact).toBeUndefined();
  expect((await s.ok('GET', '/api/rectifications', { as: 'applicant2' })).items).toEqual([]);

  const closed = await s.ok('POST', `/api/rectifications/${id}/revisit`, {
    as: 'supervisor1',
    body: { satisfied: true, note: '回访满意' },
  });
  expect(closed).toMatchObject({ status: 'closed', revisit: { satisfied: true } });
  expect(closed.timeline.map((h: { type: string }) => h.type)).toEqual([
    'opened',
    'contacted',
    'verified.valid',
    'fedBack',
    'revisited',
  ]);
  expectProblem(
    await s.call('POST', `/api/rectifications/${id}/revisit`, { as, body: { satisfied: true } }),
    409,
  );

  const audit = await s.audit.list({ limit: 500 });
  const actions = audit.items
    .filter((e) => e.target === `rectification:${id}`)
    .map((e) => `${e.action}:${e.outcome}`);
  expect(actions).toEqual(
    expect.arrayContaining([
      'rectifications.contact:ok',
      'rectifications.verify:ok',
      'rectifications.verify:rejected',
      'rectifications.feedback:ok',
      'rectifications.revisit:ok',
      'rectifications.get:rejected',
    ]),
  );
  expect((await s.ok('GET', '/api/audit/verify', { as: 'supervisor1' })).ok).toBe(true);
});

test('a mistaken review is appealed; only the supervisor reviews it; upheld closes it', async () => {
  await evaluate(second, 'web', 2);
  const id = `${second}:web`;
  const as = 'market-regulation1';
  await s.ok('POST', `/api/rectifications/${id}/contact`, { as, body: { note: '已联系' } });
  const appealed = await s.ok('POST', `/api/rectifications/${id}/verify`, {
    as,
    body: { finding: 'mistaken', reason: '评价人误评了其他事项' },
  });
  expect(appealed.status).toBe('appealed');
  expectProblem(
    await s.call('POST', `/api/rectifications/${id}/review`, {
      as,
      body: { upheld: true, reason: '自己复核' },
    }),
    403,
  );
  const upheld = await s.ok('POST', `/api/rectifications/${id}/review`, {
    as: 'supervisor1',
    body: { upheld: true, reason: '经复核属误评' },
  });
  expect(upheld).toMatchObject({ status: 'closed', appealReview: { upheld: true } });
});

test('supervisor reassigns; list filters and cursor paging; the clock turns yellow then red', async () => {
  await evaluate(second, 'app', 1);
  const id = `${second}:app`;
  const reassigned = await s.ok('POST', `/api/rectifications/${id}/assign`, {
    as: 'supervisor1',
    body: { department: 'tax', reason: '涉及税务登记' },
  });
  expect(reassigned.department).toBe('tax');
  expect(
    (await s.ok('GET', '/api/rectifications', { as: 'tax1' })).items.map((c: { id: string }) => c.id),
  ).toEqual([id]);
  expectProblem(
    await s.call('POST', `/api/rectifications/${id}/assign`, { as: 'supervisor1', body: {} }),
    422,
  );

  const closed = await s.ok('GET', '/api/rectifications?status=closed', { as: 'supervisor1' });
  expect(closed.items).toHaveLength(2);
  const page1 = await s.ok('GET', '/api/rectifications?limit=2', { as: 'supervisor1' });
  expect(page1.items).toHaveLength(2);
  const page2 = await s.ok('GET', `/api/rectifications?limit=2&after=${page1.next}`, { as: 'supervisor1' });
  expect(page2.items).toHaveLength(1);
  expect(page2.next).toBeUndefined();
  const ids = [...page1.items, ...page2.items].map((c: { id: string }) => c.id);
  expect(new Set(ids).size).toBe(3);
  expectProblem(await s.call('GET', '/api/rectifications?status=lost', { as: 'supervisor1' }), 400);

  // 14 working days later one day is left (yellow); past the deadline it is red.
  const desk = new RectificationDesk({ docs: s.docs, timeLimits: workingTimeLimits(), clock: s.now });
  s.advance(20 * DAY);
  expect(await desk.sweep()).toBe(1);
  const yellow = await s.ok('GET', '/api/rectifications?timeStatus=yellow', { as: 'supervisor1' });
  expect(yellow.items.map((c: { id: string }) => c.id)).toEqual([id]);
  s.advance(3 * DAY);
  expect(await desk.sweep()).toBe(1);
  const red = await s.ok('GET', `/api/rectifications/${id}`, { as: 'tax1' });
  expect(red).toMatchObject({ timeStatus: 'red' });
  expect(red.timeline.map((h: { type: string }) => h.type)).toEqual(
    expect.arrayContaining(['timeLimit.yellow', 'timeLimit.red']),
  );
  expect(await desk.sweep()).toBe(0);
});

test('the OpenAPI document lists every rectification route', async () => {
  const doc = await s.ok('GET', '/api/openapi.json');
  const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/rectifications'));
  expect(paths.sort()).toEqual(
    [
      '/api/rectifications',
      '/api/rectifications/{id}',
      ...['assign', 'contact', 'feedback', 'review', 'revisit', 'verify'].map(
        (a) => `/api/rectifications/{id}/${a}`,
      ),
    ].sort(),
  );
});
