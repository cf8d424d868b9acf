/** End to end over the real HTTP server on the SQLite store: the window, the departments, the applicant. */
import {
  APPLICANT_ID,
  ANSWERS,
  DATA,
  DAY,
  DEPARTMENT_OF,
  example,
  startCentreServer,
  taskId,
  type CentreServer,
} from './centre-fixture.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { expectProblem } from './support.js';

/** The smallest file the upload route takes as a PDF (magic number and trailer). */
const PDF = '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true, uploads: true });
});
afterAll(() => s.close());

describe('one bundle from acceptance to evaluation', () => {
  it('clerk accepts, every department approves, the window delivers, the applicant evaluates', async () => {
    const me = await s.ok('POST', '/api/auth/token', {
      body: { username: 'clerk1', password: 'clerk1pass' },
    });
    const auth = { authorization: `Bearer ${me.access_token}` };
    const form = await s.ok('POST', '/api/bundles/business-startup/form', {
      headers: auth,
      body: { answers: ANSWERS },
    });
    expect(form.materials.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['identityProof', 'premisesProof']),
    );

    const created = await s.call('POST', '/api/applications', {
      headers: { ...auth, 'idempotency-key': 'window-1-ticket-42' },
      body: {
        bundleCode: 'business-startup',
        answers: ANSWERS,
        data: DATA,
        applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`/api/applications/${id}`);
    expect(created.body.applicant.idNumber).not.toBe(APPLICANT_ID); // masked for the clerk
    await s.ok('POST', `/api/applications/${id}/submit`, { headers: auth });
    const accepted = await s.ok('POST', `/api/applications/${id}/accept`, {
      headers: auth,
      body: {
        materials: [
          { id: 'identityProof', status: 'provided' },
          { id: 'premisesProof', status: 'provided' },
        ],
      },
    });
    expect(accepted).toMatchObject({ status: 'in-progress', owner: 'clerk1' });

    const inbox = await s.ok('GET', '/api/tasks?state=open', { as: 'market-regulation1' });
    expect(inbox.items.map((t: { item: string }) => t.item)).toEqual(['enterprise-registration']);
    await s.ok('POST', `/api/tasks/${inbox.items[0].id}/claim`, { as: 'market-regulation1' });
    expectProblem(
      await s.call('POST', `/api/tasks/${inbox.items[0].id}/claim`, { as: 'market-regulation2' }),
      409,
    );
    await s.ok('POST', `/api/tasks/${inbox.items[0].id}/approve`, {
      as: 'market-regulation1',
      body: { ...approvalOf('enterprise-registration'), resultNumber: 'REG-001' },
    });
    for (const [item, department] of Object.entries(DEPARTMENT_OF).filter(
      ([i]) => i !== 'enterprise-registration',
    )) {
      const task = await s.ok('GET', `/api/tasks/${taskId(id, item)}`, { as: `${department}1` });
      expect(task.status).toBe('reviewing');
      await s.ok('POST', `/api/tasks/${task.id}/approve`, { as: `${department}1`, body: {} });
    }
    expect((await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' })).status).toBe('results-ready');
    expect(
      (await s.ok('POST', `/api/applications/${id}/deliver`, { as: 'clerk1', body: { channel: 'window' } }))
        .status,
    ).toBe('delivered');
    const evaluated = await s.ok('POST', `/api/applications/${id}/evaluation`, {
      as: 'applicant1',
      body: { channel: 'app', level: 5, comment: '一次办好' },
    });
    expect(evaluated.status).toBe('evaluated');
    expectProblem(
      await s.call('POST', `/api/applications/${id}/evaluation`, {
        as: 'applicant1',
        body: { channel: 'app', level: 4 },
      }),
      409,
    );

    const mine = await s.ok('GET', '/api/applications', { as: 'applicant1' });
    expect(mine.items.map((a: { id: string }) => a.id)).toContain(id);
    const full = await s.ok('GET', `/api/applications/${id}`, { as: 'applicant1' });
    expect(full.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['created', 'submitted', 'accepted']),
    );

    const audit = await s.ok('GET', '/api/audit?limit=100', { as: 'supervisor1' });
    const actions = audit.items
      .filter(
        (e: { target: string }) => e.target === `application:${id}` || e.target.startsWith(`task:${id}`),
      )
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'applications.create',
        'applications.submit',
        'applications.accept',
        'tasks.approve',
        'applications.deliver',
        'applications.evaluation',
        // reads of personal data are audited too
        'tasks.get',
        'applications.get',
      ]),
    );
    expect((await s.ok('GET', '/api/audit/verify', { as: 'supervisor1' })).ok).toBe(true);
    const metrics = await s.ok('GET', '/api/metrics', { as: 'supervisor1' });
    expect(metrics.applications.byStatus.evaluated).toBeGreaterThanOrEqual(1);
  });
});

describe('partial outcomes and supplements over HTTP', () => {
  it('two departments asking at once produce one notice; the applicant supplements and work resumes', async () => {
    const id = await s.caseIn('accepted');
    await s.ok('POST', `/api/tasks/${taskId(id, 'enterprise-registration')}/approve`, {
      as: 'market-regulation1',
      body: approvalOf('enterprise-registration'),
    });
    for (const item of [
      'employer-social-insurance',
      'employer-medical-insurance',
      'housing-fund-account',
      'bank-appointment',
    ]) {
      await s.ok('POST', `/api/tasks/${taskId(id, item)}/approve`, {
        as: `${DEPARTMENT_OF[item]}1`,
        body: {},
      });
    }
    await s.ok('POST', `/api/tasks/${taskId(id, 'seal-filing')}/request-supplement`, {
      as: 'public-security1',
      body: { entries: [{ problem: '印章样式不清晰', materialId: 'sealFilingForm' }] },
    });
    await s.ok('POST', `/api/tasks/${taskId(id, 'new-taxpayer')}/request-supplement`, {
      as: 'tax1',
      body: { entries: [{ problem: '财务负责人电话无法接通', fieldId: 'financeOfficer' }] },
    });
    let app = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
    expect(app.status).toBe('awaiting-supplement');
    expect(app.notices).toHaveLength(1);
    expect(app.notices[0].entries.map((e: { department: string }) => e.department).sort()).toEqual([
      'public-security',
      'tax',
    ]);
    s.advance(DAY);
    app = await s.ok('POST', `/api/applications/${id}/supplement`, {
      as: 'applicant1',
      body: {
        data: { financeOfficer: { name: '李四', idNumber: '11010519491231002X', mobile: '13912345679' } },
      },
    });
    expect(app.status).toBe('awaiting-supplement'); // the seal-filing form is still owed
    // A material counts as provided with its file: upload it, then answer the rest of the notice.
    await s.ok('PUT', `/api/applications/${id}/materials/sealFilingForm/file`, {
      as: 'applicant1',
      raw: PDF,
      headers: { 'content-type': 'application/pdf' },
    });
    app = await s.ok('POST', `/api/applications/${id}/supplement`, {
      as: 'applicant1',
      body: { materials: [{ id: 'sealFilingForm', status: 'provided' }] },
    });
    expect(app.status).toBe('in-progress');
    await s.ok('POST', `/api/tasks/${taskId(id, 'seal-filing')}/approve`, {
      as: 'public-security1',
      body: {},
    });
    await s.ok('POST', `/api/tasks/${taskId(id, 'new-taxpayer')}/approve`, { as: 'tax1', body: {} });
    expect((await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' })).status).toBe('results-ready');
  });

  it('one department rejecting: the dependent items end, the others still reach the window', async () => {
    const id = await s.caseIn('results-ready');
    const app = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
    expect(app.items.find((i: { item: string }) => i.item === 'enterprise-registration').status).toBe(
      'rejected',
    );
    expect(
      (await s.ok('POST', `/api/applications/${id}/deliver`, { as: 'clerk1', body: { channel: 'window' } }))
        .status,
    ).toBe('delivered');
  });

  it('告知承诺: a false post-check revokes the approval', async () => {
    const id = await s.caseIn('on-commitment');
    const task = await s.ok('POST', `/api/tasks/${taskId(id, 'enterprise-registration')}/post-check`, {
      as: 'market-regulation1',
      body: { result: 'false' },
    });
    expect(task.status).toBe('revoked');
  });

  it('容缺: a deferred material that arrives late is refused and the case terminated', async () => {
    const pkg = example('business-startup');
    pkg.bundle.materials.find((m: { id: string }) => m.id === 'premisesProof').deferrable = true;
    const deployed = await s.ok('POST', '/api/bundles', { as: 'analyst1', body: pkg });
    expect(deployed.version).toBeGreaterThan(1);
    const app = await s.ok('POST', '/api/applications', {
      as: 'clerk1',
      body: {
        bundleCode: 'business-startup',
        answers: ANSWERS,
        data: DATA,
        applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
      },
    });
    const accepted = await s.ok('POST', `/api/applications/${app.id}/accept`, {
      as: 'clerk1',
      body: {
        materials: [
          { id: 'identityProof', status: 'provided' },
          { id: 'premisesProof', status: 'deferred' },
        ],
        commitments: [
          {
            kind: 'deferral',
            materials: ['premisesProof'],
            signer: '张三',
            text: '五个工作日内补交住所证明',
          },
        ],
      },
    });
    const due = accepted.materials.find((m: { id: string }) => m.id === 'premisesProof').deferral.dueAt;
    s.advance(due - s.now() + DAY);
    await s.centre.sweep(); // what the server's tick runs every few seconds
    expect((await s.ok('GET', `/api/applications/${app.id}`, { as: 'clerk1' })).status).toBe('terminated');
    const late = expectProblem(
      await s.call('POST', `/api/applications/${app.id}/supplement`, {
        as: 'clerk1',
        body: { materials: [{ id: 'premisesProof', status: 'provided' }] },
      }),
      409,
    );
    expect(late.type).toBe('urn:onething:problem:state-invalid');
  });
});
