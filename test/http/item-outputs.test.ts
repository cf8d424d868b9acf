/**
 * Item outputs over HTTP: a bundle whose items need outputs that do not exist is refused at
 * deploy; approving the enterprise registration needs its credit code (problem+json naming the
 * field in zh and en, nothing written on error); the departments of the items after it read the
 * code on their task, supervisors do not; the applicant reads it with the registration's result.
 */
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { DEPARTMENT_OF, example, startCentreServer, taskId, type CentreServer } from './centre-fixture.js';
import { expectProblem } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

const CREDIT_CODE = '91440400MA4W12346M';
const REGISTRATION = 'enterprise-registration';
const LABEL = { zh: '统一社会信用代码', en: 'Unified social credit code' };
let s: CentreServer;

beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
});
afterAll(() => s.close());

const approve = (appId: string, item: string, body: Json) =>
  s.call('POST', `/api/tasks/${taskId(appId, item)}/approve`, { as: `${DEPARTMENT_OF[item]}1`, body });

describe('POST /api/bundles', () => {
  it('refuses a need of an output its item does not declare, naming the bundle, item and output', async () => {
    const pkg = example('business-startup');
    const tax = pkg.bundle.items.find((i: Json) => i.code === 'new-taxpayer');
    tax.needs = [{ item: REGISTRATION, output: 'taxNumber' }];
    const problem = expectProblem(await s.call('POST', '/api/bundles', { as: 'analyst1', body: pkg }), 422);
    expect(problem.errors).toEqual([
      {
        field: 'bundle.items.new-taxpayer.needs.0',
        message: {
          zh: '事项包 business-startup 事项“new-taxpayer”需要事项“enterprise-registration”的办理结果“taxNumber”，但该事项未声明这一结果 (outputs)',
          en: 'bundle business-startup, item "new-taxpayer" needs output "taxNumber" of item "enterprise-registration", but that item declares no such output',
        },
      },
    ]);
  });
});

describe('POST /api/tasks/:id/approve with outputs', () => {
  it('needs the credit code, checked; names the field in zh and en and writes nothing on error', async () => {
    const appId = await s.caseIn('accepted');
    const before = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });

    const missing = expectProblem(await approve(appId, REGISTRATION, { resultNumber: 'REG-1' }), 422);
    expect(missing.errors).toEqual([
      {
        field: 'outputs.creditCode',
        label: LABEL,
        message: { zh: '统一社会信用代码为必填项', en: 'Unified social credit code is required' },
      },
    ]);
    expect(missing.zh.detail).toBe('准予时须填写本事项的办理结果');
    const wrong = expectProblem(
      await approve(appId, REGISTRATION, { outputs: { creditCode: '91440400MA4W12345M' } }),
      422,
    );
    expect(wrong.errors[0]).toMatchObject({
      field: 'outputs.creditCode',
      message: { en: expect.stringContaining('has a wrong check character') },
    });
    const notText = expectProblem(
      await approve(appId, REGISTRATION, { outputs: { creditCode: 91440 } }),
      422,
    );
    expect(notText.errors.map((e: Json) => e.field)).toEqual(['body.outputs.creditCode']);

    const after = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });
    expect(after.rev).toBe(before.rev);
    expect(after.items.find((i: Json) => i.item === REGISTRATION)).toEqual(
      before.items.find((i: Json) => i.item === REGISTRATION),
    );
    const task = await s.ok('GET', `/api/tasks/${taskId(appId, REGISTRATION)}`, { as: 'market-regulation1' });
    expect(task).toMatchObject({ status: 'reviewing', outputs: [{ key: 'creditCode', label: LABEL }] });

    const approved = await approve(appId, REGISTRATION, { outputs: { creditCode: CREDIT_CODE } });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
  });
});

describe('the items after it, the supervisor and the applicant', () => {
  it('dependants read the code as the registration’s result; supervisors do not; the applicant sees it delivered', async () => {
    const appId = await s.caseIn('accepted');
    const waiting = await s.ok('GET', `/api/tasks/${taskId(appId, 'bank-appointment')}`, { as: 'bank1' });
    expect(waiting.upstreamResults).toBeUndefined();
    expect((await approve(appId, REGISTRATION, approvalOf(REGISTRATION))).status).toBe(200);

    const output = { key: 'creditCode', label: LABEL, value: CREDIT_CODE };
    for (const item of Object.keys(DEPARTMENT_OF).filter((i) => i !== REGISTRATION)) {
      const task = await s.ok('GET', `/api/tasks/${taskId(appId, item)}`, { as: `${DEPARTMENT_OF[item]}1` });
      expect(task.upstreamResults).toEqual([
        {
          item: REGISTRATION,
          itemName: { zh: '企业设立登记', en: 'Enterprise establishment registration' },
          outputs: [output],
        },
      ]);
    }
    const watched = await s.ok('GET', `/api/tasks/${taskId(appId, 'new-taxpayer')}`, { as: 'supervisor1' });
    expect(watched).not.toHaveProperty('upstreamResults');
    expect(watched).not.toHaveProperty('payload');

    for (const item of Object.keys(DEPARTMENT_OF).filter((i) => i !== REGISTRATION))
      expect((await approve(appId, item, {})).status).toBe(200);
    await s.ok('POST', `/api/applications/${appId}/deliver`, { as: 'clerk1', body: { channel: 'window' } });
    const mine = await s.ok('GET', `/api/applications/${appId}`, { as: 'applicant1' });
    expect(mine.items.find((i: Json) => i.item === REGISTRATION).outputs).toEqual([output]);
    const delivered = mine.timeline.find((e: Json) => e.type === 'delivered');
    expect(delivered.data.results.find((r: Json) => r.item === REGISTRATION).outputs).toEqual([output]);
  });
});
