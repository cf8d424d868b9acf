/**
 * The authorisation matrix: every route of the table × every role × own / other department,
 * region and applicant → the expected status; and no sensitive value reaches a department in
 * full unless its items declare it needs it in full.
 */
import { compileForm } from '../../forms/src/merge/index.js';
import { projectPayloads } from '../../forms/src/project/index.js';
import {
  ANSWERS,
  APPLICANT_ID,
  APPLICANT_PHONE,
  DATA,
  DEPARTMENT_OF,
  example,
  startCentreServer,
  taskId,
  type CentreServer,
} from './centre-fixture.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { expectProblem } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

/** One user per role, and for clerk, supervisor, applicant and department one inside and one outside the case. */
const PRINCIPALS = [
  'analyst1',
  'clerk1',
  'clerk2',
  'supervisor1',
  'supervisor2',
  'applicant1',
  'applicant2',
  'market-regulation1',
  'tax1',
  'landscaping1',
] as const;
type Principal = (typeof PRINCIPALS)[number];
const ALL = [...PRINCIPALS];

/** Rectification states: a bad review of a delivered case (market-regulation answers for it), moved along. */
const RECTIFICATION_STATES = [
  'bad-review',
  'rect-verifying',
  'rect-appealed',
  'rect-rectifying',
  'rect-fedBack',
] as const;
type State =
  | Parameters<CentreServer['caseIn']>[0]
  | 'pending-request'
  | 'awaiting-supplement'
  | (typeof RECTIFICATION_STATES)[number];

interface Row {
  method: string;
  /** Path with `:app`, `:task` and `:rect` for the case's id, its enterprise-registration task and its web bad-review case. */
  path: string;
  /** The case state the call needs; commands get a fresh case per call. */
  state?: State;
  /** The request body; a function when the call a role may make differs (好差评 channels). */
  body?: Json | ((who: Principal) => Json);
  /** Principals that succeed, with the status (default 200). */
  ok: Partial<Record<Principal, number>> | Principal[];
  /** Checks on a successful body, by principal. */
  check?: (who: Principal, body: Json, appId: string) => void;
}

const materials = [
  { id: 'identityProof', status: 'provided' },
  { id: 'premisesProof', status: 'provided' },
];

const ROWS: Record<string, Row> = {
  'auth.me': { method: 'GET', path: '/api/auth/me', ok: ALL },
  // The harness drops a principal's cached token once it has logged out (test/http/support.ts).
  'auth.logout': {
    method: 'POST',
    path: '/api/auth/logout',
    ok: Object.fromEntries(PRINCIPALS.map((p) => [p, 204])),
  },
  // No such user: supervisors pass the role check and get 404, everyone else 403.
  'auth.revokeTokens': { method: 'POST', path: '/api/auth/users/nobody/revoke-tokens', ok: [] },
  'bundles.list': { method: 'GET', path: '/api/bundles', ok: ALL },
  'bundles.get': { method: 'GET', path: '/api/bundles/business-startup', ok: ALL },
  'bundles.deploy': {
    method: 'POST',
    path: '/api/bundles',
    body: example('restaurant'),
    ok: { analyst1: 201 },
  },
  'bundles.retire': { method: 'POST', path: '/api/bundles/restaurant/retire', ok: ['analyst1'] },
  'bundles.form': {
    method: 'POST',
    path: '/api/bundles/business-startup/form',
    body: { answers: ANSWERS },
    ok: ALL,
  },
  'applications.create': {
    method: 'POST',
    path: '/api/applications',
    // Another person's number than the case's applicant, so applicant2 claims nothing of applicant1's.
    body: {
      bundleCode: 'business-startup',
      answers: ANSWERS,
      data: DATA,
      applicant: { kind: 'person', name: '李四', idNumber: '11010519491231002X' },
    },
    ok: { clerk1: 201, clerk2: 201, applicant1: 201, applicant2: 201 },
  },
  'applications.list': {
    method: 'GET',
    path: '/api/applications?limit=100',
    state: 'accepted',
    ok: ['clerk1', 'clerk2', 'supervisor1', 'supervisor2', 'applicant1', 'applicant2'],
    check: (who, body, appId) => {
      const seen = body.items.some((a: { id: string }) => a.id === appId);
      expect([who, seen]).toEqual([who, ['clerk1', 'supervisor1', 'applicant1'].includes(who)]);
    },
  },
  'applications.get': {
    method: 'GET',
    path: '/api/applications/:app',
    state: 'accepted',
    ok: ['clerk1', 'supervisor1', 'applicant1', 'market-regulation1', 'tax1'],
  },
  'applications.update': {
    method: 'PATCH',
    path: '/api/applications/:app',
    state: 'draft',
    body: { data: { expectedStaff: 6 } },
    ok: ['clerk1', 'applicant1'],
  },
  'applications.submit': {
    method: 'POST',
    path: '/api/applications/:app/submit',
    state: 'draft',
    ok: ['clerk1', 'applicant1'],
  },
  'applications.accept': {
    method: 'POST',
    path: '/api/applications/:app/accept',
    state: 'submitted',
    body: { materials },
    ok: ['clerk1'],
  },
  'applications.return': {
    method: 'POST',
    path: '/api/applications/:app/return',
    state: 'submitted',
    body: { entries: [{ materialId: 'premisesProof', problem: '租赁合同缺页' }] },
    ok: ['clerk1'],
  },
  'applications.refuse': {
    method: 'POST',
    path: '/api/applications/:app/refuse',
    state: 'submitted',
    body: { reason: '不属于本中心受理范围' },
    ok: ['clerk1'],
  },
  'applications.reject': {
    method: 'POST',
    path: '/api/applications/:app/reject',
    state: 'submitted',
    body: { reason: '不属于本中心受理范围' },
    ok: ['clerk1'],
  },
  'applications.notice': {
    method: 'POST',
    path: '/api/applications/:app/notice',
    state: 'pending-request',
    ok: ['clerk1'],
  },
  'applications.supplement': {
    method: 'POST',
    path: '/api/applications/:app/supplement',
    // What the open notice asks for (see caseIn): the applicant answers it, or the clerk at the window.
    state: 'awaiting-supplement',
    body: { data: { legalRepMobile: '13912345679' } },
    ok: ['clerk1', 'applicant1'],
  },
  'applications.deliver': {
    method: 'POST',
    path: '/api/applications/:app/deliver',
    state: 'results-ready',
    body: { channel: 'window' },
    ok: ['clerk1'],
  },
  'applications.evaluation': {
    method: 'POST',
    path: '/api/applications/:app/evaluation',
    state: 'delivered',
    // Staff record the window's evaluation device, the applicant an online channel.
    body: (who: Principal) => ({ channel: who.startsWith('clerk') ? 'window' : 'app', level: 5 }),
    ok: ['clerk1', 'applicant1'],
  },
  'tasks.list': {
    method: 'GET',
    path: '/api/tasks?limit=100',
    state: 'accepted',
    ok: ['market-regulation1', 'tax1', 'landscaping1', 'supervisor1', 'supervisor2'],
    check: (who, body, appId) => {
      const mine = body.items.filter((t: { applicationId: string }) => t.applicationId === appId);
      if (who === 'market-regulation1')
        expect(mine.map((t: { item: string }) => t.item)).toEqual(['enterprise-registration']);
      if (who === 'tax1') expect(mine.map((t: { item: string }) => t.item)).toEqual(['new-taxpayer']);
      if (who === 'landscaping1' || who === 'supervisor2') expect(mine).toEqual([]);
      if (who === 'supervisor1') expect(body.items.length).toBeGreaterThan(0);
      for (const t of body.items)
        if (who.endsWith('1') && !who.startsWith('supervisor')) expect(t.department).toBe(who.slice(0, -1));
      if (who.startsWith('supervisor')) for (const t of body.items) expect(t.payload).toBeUndefined();
    },
  },
  'tasks.get': {
    method: 'GET',
    path: '/api/tasks/:task',
    state: 'accepted',
    ok: ['market-regulation1', 'supervisor1'],
  },
  'tasks.claim': {
    method: 'POST',
    path: '/api/tasks/:task/claim',
    state: 'accepted',
    ok: ['market-regulation1'],
  },
  'tasks.approve': {
    method: 'POST',
    path: '/api/tasks/:task/approve',
    state: 'accepted',
    body: { ...approvalOf('enterprise-registration'), resultNumber: 'REG-9' },
    ok: ['market-regulation1'],
  },
  'tasks.reject': {
    method: 'POST',
    path: '/api/tasks/:task/reject',
    state: 'accepted',
    body: { reason: '名称重复' },
    ok: ['market-regulation1'],
  },
  'tasks.request-supplement': {
    method: 'POST',
    path: '/api/tasks/:task/request-supplement',
    state: 'accepted',
    body: { entries: [{ problem: '经营范围表述不规范', fieldId: 'businessScope' }] },
    ok: ['market-regulation1'],
  },
  'tasks.withdraw-supplement': {
    method: 'POST',
    path: '/api/tasks/:task/withdraw-supplement',
    state: 'pending-request',
    ok: ['market-regulation1'],
  },
  'tasks.post-check': {
    method: 'POST',
    path: '/api/tasks/:task/post-check',
    state: 'on-commitment',
    body: { result: 'confirmed' },
    ok: ['market-regulation1'],
  },
  'licences.search': {
    method: 'POST',
    path: '/api/licences/search',
    body: { holderId: APPLICANT_ID },
    ok: ['clerk1', 'clerk2', 'applicant1', 'applicant2', 'supervisor1', 'supervisor2'],
    check: (who, body) => {
      if (who === 'applicant2') expect(body.items).toEqual([]);
    },
  },
  'incidents.list': { method: 'GET', path: '/api/incidents', ok: ['supervisor1', 'supervisor2', 'analyst1'] },
  // No such instance: supervisors pass the role check and get the engine's 404.
  'incidents.retry': {
    method: 'POST',
    path: '/api/incidents/no-such-instance/retry',
    body: {},
    ok: { supervisor1: 404, supervisor2: 404 },
  },
  'audit.list': { method: 'GET', path: '/api/audit', ok: ['supervisor1', 'supervisor2'] },
  'audit.verify': { method: 'GET', path: '/api/audit/verify', ok: ['supervisor1', 'supervisor2'] },
  'metrics.summary': { method: 'GET', path: '/api/metrics', ok: ['supervisor1', 'supervisor2'] },
  'aggregates.get': { method: 'GET', path: '/api/metrics/aggregates', ok: ['supervisor1', 'supervisor2'] },
  'aggregates.csv': {
    method: 'GET',
    path: '/api/metrics/aggregates/csv?table=summary',
    ok: ['supervisor1', 'supervisor2'],
  },
  'rectifications.list': {
    method: 'GET',
    path: '/api/rectifications?limit=100',
    state: 'bad-review',
    ok: [
      'market-regulation1',
      'tax1',
      'landscaping1',
      'supervisor1',
      'supervisor2',
      'applicant1',
      'applicant2',
    ],
    check: (who, body, appId) => {
      const seen = body.items.some((c: { applicationId: string }) => c.applicationId === appId);
      expect([who, seen]).toEqual([who, ['market-regulation1', 'supervisor1', 'applicant1'].includes(who)]);
    },
  },
  'rectifications.get': {
    method: 'GET',
    path: '/api/rectifications/:rect',
    state: 'bad-review',
    ok: ['market-regulation1', 'supervisor1', 'applicant1'],
  },
  'rectifications.assign': {
    method: 'POST',
    path: '/api/rectifications/:rect/assign',
    state: 'bad-review',
    body: { department: 'tax' },
    ok: ['supervisor1'],
  },
  'rectifications.contact': {
    method: 'POST',
    path: '/api/rectifications/:rect/contact',
    state: 'bad-review',
    body: { note: '已电话联系' },
    ok: ['market-regulation1'],
  },
  'rectifications.verify': {
    method: 'POST',
    path: '/api/rectifications/:rect/verify',
    state: 'rect-verifying',
    body: { finding: 'valid' },
    ok: ['market-regulation1'],
  },
  'rectifications.review': {
    method: 'POST',
    path: '/api/rectifications/:rect/review',
    state: 'rect-appealed',
    body: { upheld: false, reason: '不支持申诉' },
    ok: ['supervisor1'],
  },
  'rectifications.feedback': {
    method: 'POST',
    path: '/api/rectifications/:rect/feedback',
    state: 'rect-rectifying',
    body: { message: '已整改', measures: '优化流程' },
    ok: ['market-regulation1'],
  },
  'rectifications.revisit': {
    method: 'POST',
    path: '/api/rectifications/:rect/revisit',
    state: 'rect-fedBack',
    body: { satisfied: true },
    ok: ['market-regulation1', 'supervisor1'],
  },
};

async function rectificationIn(state: (typeof RECTIFICATION_STATES)[number]): Promise<string> {
  const id = await s.caseIn('delivered');
  await s.ok('POST', `/api/applications/${id}/evaluation`, {
    as: 'applicant1',
    body: { channel: 'web', level: 1 },
  });
  const step = (name: string, body: unknown) =>
    s.ok('POST', `/api/rectifications/${encodeURIComponent(`${id}:web`)}/${name}`, {
      as: 'market-regulation1',
      body,
    });
  if (state === 'bad-review') return id;
  await step('contact', { note: '已联系' });
  if (state === 'rect-verifying') return id;
  if (state === 'rect-appealed') {
    await step('verify', { finding: 'mistaken', reason: '误评' });
    return id;
  }
  await step('verify', { finding: 'valid' });
  if (state === 'rect-rectifying') return id;
  await step('feedback', { message: '已整改', measures: '优化流程' });
  return id;
}

let s: CentreServer;
const shared = new Map<State, string>();
beforeAll(async () => {
  s = await startCentreServer({ bundles: ['business-startup', 'restaurant'] });
});
afterAll(() => s.close());

async function caseIn(state: State, fresh: boolean): Promise<string> {
  if (!fresh && shared.has(state)) return shared.get(state)!;
  let id: string;
  if (state === 'pending-request' || state === 'awaiting-supplement') {
    id = await s.caseIn('accepted');
    await s.ok('POST', `/api/tasks/${taskId(id, 'enterprise-registration')}/request-supplement`, {
      as: 'market-regulation1',
      body: { entries: [{ problem: '联系电话无法接通', fieldId: 'legalRepMobile' }] },
    });
    // The other departments still review: the clerk sends the notice.
    if (state === 'awaiting-supplement')
      await s.ok('POST', `/api/applications/${id}/notice`, { as: 'clerk1' });
  } else if ((RECTIFICATION_STATES as readonly string[]).includes(state))
    id = await rectificationIn(state as (typeof RECTIFICATION_STATES)[number]);
  else id = await s.caseIn(state as Parameters<CentreServer['caseIn']>[0]);
  if (!fresh) shared.set(state, id);
  return id;
}

describe('authorisation matrix', () => {
  it('has a row for every authenticated route of the table', () => {
    const routes = s.app.locals.onething.resources
      .flatMap((r) => r.routes)
      .filter((r) => r.roles !== 'public');
    expect(routes.map((r) => r.operationId).sort()).toEqual(Object.keys(ROWS).sort());
  });

  const routeRoles = () =>
    new Map(
      s.app.locals.onething.resources
        .flatMap((r) => r.routes)
        .map((r) => [r.operationId, r.roles === 'public' ? [] : [...r.roles]] as const),
    );

  for (const [operationId, row] of Object.entries(ROWS)) {
    it(`${operationId}: ${row.method} ${row.path}`, async () => {
      const roles = routeRoles().get(operationId)!;
      const ok: Partial<Record<Principal, number>> = Array.isArray(row.ok)
        ? Object.fromEntries(row.ok.map((p) => [p, 200]))
        : row.ok;
      const mutation = row.method !== 'GET';
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const who of PRINCIPALS) {
        const actor = s.users.get(who)!;
        const appId = row.state ? await caseIn(row.state, mutation) : '';
        const path = row.path
          .replace(':app', appId)
          .replace(':task', encodeURIComponent(taskId(appId, 'enterprise-registration')))
          .replace(':rect', encodeURIComponent(`${appId}:web`));
        const body = typeof row.body === 'function' ? row.body(who) : row.body;
        const res = await s.call(row.method, path, { as: who, ...(body !== undefined ? { body } : {}) });
        got[who] = res.status;
        want[who] = ok[who] ?? (roles.includes(actor.role) ? 404 : 403);
        if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        if (res.status < 300) row.check?.(who, res.body, appId);
      }
      expect(got).toEqual(want);
    });
  }
});

describe('scoping through pagination', () => {
  const everything = async (who: string, path: string) => {
    const items: Json[] = [];
    let after: string | undefined;
    // The matrix leaves several hundred cases behind (each command row makes a fresh one per principal).
    for (let page = 0; page < 500; page++) {
      const body = await s.ok(
        'GET',
        `${path}${path.includes('?') ? '&' : '?'}limit=7${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        { as: who },
      );
      items.push(...body.items);
      if (!body.next) return items;
      after = body.next;
    }
    throw new Error('too many pages');
  };

  it('a supervisor finds every task of a case in the region, one of another district none; a department only its own', async () => {
    const appId = await caseIn('accepted', false);
    const of = (items: { applicationId: string }[]) => items.filter((t) => t.applicationId === appId);
    expect(
      of(await everything('supervisor1', '/api/tasks'))
        .map((t: Json) => t.item)
        .sort(),
    ).toEqual(Object.keys(DEPARTMENT_OF).sort());
    expect(of(await everything('supervisor2', '/api/tasks'))).toEqual([]);
    const tax = await everything('tax1', '/api/tasks');
    expect(tax.every((t) => t.department === 'tax')).toBe(true);
    expect(of(tax).map((t: Json) => t.item)).toEqual(['new-taxpayer']);
    expect((await s.call('GET', '/api/tasks?department=hrss', { as: 'tax1' })).status).toBe(403);
  });

  it('a cursor that is not one is refused with 400 naming `after`, not read as the first page', async () => {
    const notCursor = Buffer.from('[{"a":1},"x"]').toString('base64url');
    for (const path of ['/api/applications', '/api/tasks', '/api/rectifications', '/api/audit']) {
      const refused = expectProblem(
        await s.call('GET', `${path}?after=${notCursor}`, { as: 'supervisor1' }),
        400,
      );
      expect(refused.type).toBe('urn:onething:problem:bad-request');
      expect(refused.errors).toEqual([
        {
          field: 'after',
          message: {
            zh: '分页游标无效：请使用上一页返回的 next 值',
            en: 'not a page cursor: pass the `next` of the previous page',
          },
        },
      ]);
    }
  });

  it('applicants list only their own applications; clerks and supervisors only their region', async () => {
    const appId = await caseIn('accepted', false);
    const ids = async (who: string) => (await everything(who, '/api/applications')).map((a) => a.id);
    expect(await ids('applicant1')).toContain(appId);
    expect(await ids('applicant2')).not.toContain(appId);
    expect(await ids('clerk1')).toContain(appId);
    expect(await ids('clerk2')).not.toContain(appId);
    expect(await ids('supervisor1')).toContain(appId);
    expect(await ids('supervisor2')).not.toContain(appId);
  });
});

describe('a case the window has not accepted is not sent to any department', () => {
  it('submitted, returned or refused: its record is not found for a department (its files: uploads.test.ts)', async () => {
    const submitted = await caseIn('submitted', false);
    const returned = await caseIn('submitted', false);
    await s.ok('POST', `/api/applications/${returned}/return`, {
      as: 'clerk1',
      body: { entries: [{ problem: '请补充营业场所证明', materialId: 'premisesProof' }] },
    });
    const refused = await caseIn('submitted', false);
    await s.ok('POST', `/api/applications/${refused}/refuse`, {
      as: 'clerk1',
      body: { reason: '不予受理：材料虚假' },
    });
    for (const appId of [submitted, returned, refused]) {
      for (const who of ['market-regulation1', 'tax1'])
        expect((await s.call('GET', `/api/applications/${appId}`, { as: who })).status).toBe(404);
      expect((await s.call('GET', `/api/applications/${appId}`, { as: 'clerk1' })).status).toBe(200);
    }
    // Once accepted, the departments of its items read it.
    const accepted = await caseIn('accepted', false);
    expect((await s.call('GET', `/api/applications/${accepted}`, { as: 'tax1' })).status).toBe(200);
  });
});

describe('masking: no sensitive value in full for a department that did not declare it', () => {
  const definition = example('business-startup').bundle;
  const payloads = projectPayloads(compileForm(definition as never), {
    situation: ANSWERS,
    ...DATA,
  } as never);
  const SENSITIVE = [APPLICANT_ID, APPLICANT_PHONE, '11010519491231002X', '13912345678', '13700001111'];

  it('every department of the case, through every read it has', async () => {
    const appId = await s.caseIn('accepted');
    await s.ok('POST', `/api/tasks/${taskId(appId, 'enterprise-registration')}/approve`, {
      as: 'market-regulation1',
      body: approvalOf('enterprise-registration'),
    });
    const withoutAny: string[] = [];
    for (const [item, department] of Object.entries(DEPARTMENT_OF)) {
      const who = `${department}1`;
      const reads = [
        await s.ok('GET', `/api/applications/${appId}`, { as: who }),
        await s.ok('GET', `/api/tasks/${encodeURIComponent(taskId(appId, item))}`, { as: who }),
        await s.ok('GET', '/api/tasks?limit=100', { as: who }),
      ];
      const text = JSON.stringify(reads);
      const declared = JSON.stringify(payloads[department]?.data ?? {});
      for (const value of SENSITIVE) {
        if (text.includes(value))
          expect([department, value, declared.includes(value)]).toEqual([department, value, true]);
      }
      // The applicant's own ID number and phone on the case record are masked for every department.
      expect(reads[0].applicant.idNumber).not.toBe(APPLICANT_ID);
      expect(reads[0].applicant.phone).not.toBe(APPLICANT_PHONE);
      if (!SENSITIVE.some((v) => declared.includes(v))) withoutAny.push(department);
    }
    // The check above is not vacuous: some departments declare nothing in full and saw nothing.
    expect(withoutAny.length).toBeGreaterThan(0);
  });
});
