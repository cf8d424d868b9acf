/**
 * 属地办理 and 异地收件、远程流转 over HTTP with the demo users of the Zhuhai network: a case received
 * in one district and decided in another is seen by the deciding office only (another region's
 * office gets 404, as for any object outside one's scope), the accepting clerk keeps it with both
 * venues on the timeline, and the result goes back to the accepting venue or by post.
 */
import {
  ANSWERS,
  APPLICANT_ID,
  DATA,
  startCentreServer,
  taskId,
  type CentreServer,
} from './centre-fixture.js';
import { approvalOf } from '../../engine/src/testing/item-outputs.js';
import { expectProblem } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
});
afterAll(() => s.close());

const MATERIALS = [
  { id: 'identityProof', status: 'provided' },
  { id: 'premisesProof', status: 'provided' },
];

/** A business start-up whose premises lie in `premisesRegion`, accepted by `clerk` at their venue. */
async function acceptedCase(clerk: string, premisesRegion: string): Promise<string> {
  const app = await s.ok('POST', '/api/applications', {
    as: clerk,
    body: {
      bundleCode: 'business-startup',
      answers: ANSWERS,
      data: { ...DATA, regionCode: premisesRegion },
      applicant: { kind: 'person', name: '张三', idNumber: APPLICANT_ID, userId: 'applicant1' },
    },
  });
  await s.ok('POST', `/api/applications/${app.id}/submit`, { as: clerk });
  await s.ok('POST', `/api/applications/${app.id}/accept`, { as: clerk, body: { materials: MATERIALS } });
  return app.id;
}

/** Every listed user approves what is open for them in this case, round after round. */
async function approveAll(appId: string, users: string[]): Promise<Json> {
  for (let round = 0; round < 10; round++) {
    let approved = 0;
    for (const user of users) {
      const inbox = await s.ok('GET', '/api/tasks?state=open&limit=100', { as: user });
      for (const task of inbox.items.filter((t: Json) => t.applicationId === appId)) {
        await s.ok('POST', `/api/tasks/${encodeURIComponent(task.id)}/approve`, {
          as: user,
          body: approvalOf(task.item),
        });
        approved++;
      }
    }
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'supervisor1' });
    if (app.status === 'results-ready' || approved === 0) return app;
  }
  throw new Error('the case did not finish');
}

const tasksOf = async (user: string, appId: string) =>
  (await s.ok('GET', '/api/tasks?limit=100', { as: user })).items
    .filter((t: Json) => t.applicationId === appId)
    .map((t: Json) => t.item)
    .sort();

const DOUMEN = ['doumen-market-regulation1', 'doumen-public-security1', 'doumen-tax1', 'doumen-hrss1'];
const CITY = ['housing-fund1', 'bank1'];

describe('received at 香洲, decided in 斗门 (异地收件、远程流转、属地办理)', () => {
  let appId: string;
  beforeAll(async () => {
    appId = await acceptedCase('clerk1', '440403');
  });

  it('routes each item to the competent office and records both venues', async () => {
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });
    expect(app.acceptedVenue).toBe('xiangzhou-centre');
    const registration = app.items.find((i: Json) => i.item === 'enterprise-registration');
    expect(registration).toMatchObject({
      decidingDepartment: '440403-market-regulation',
      decidingDepartmentRegion: '440403',
      decidingVenue: 'doumen-centre',
      crossRegion: true,
    });
    // City-level items go to the city's office, not to either district.
    expect(app.items.find((i: Json) => i.item === 'housing-fund-account')).toMatchObject({
      decidingDepartment: '440400-housing-fund',
      crossRegion: false,
    });
    const routed = app.timeline.find((e: Json) => e.type === 'routed');
    expect(routed.data.acceptedVenue).toBe('xiangzhou-centre');
    expect(routed.data.items.map((i: Json) => i.decidingVenue)).toContain('doumen-centre');
  });

  it("斗门's office sees the task; 香洲's office of the same department gets 404 for it", async () => {
    expect(await tasksOf('doumen-market-regulation1', appId)).toEqual(['enterprise-registration']);
    expect(await tasksOf('market-regulation1', appId)).toEqual([]);
    const task = encodeURIComponent(taskId(appId, 'enterprise-registration'));
    const view = await s.ok('GET', `/api/tasks/${task}`, { as: 'doumen-market-regulation1' });
    expect(view.payload).toEqual(expect.any(Object));
    // 远程流转: the deciding office knows where the result goes back.
    expect(view).toMatchObject({
      decidingDepartment: '440403-market-regulation',
      acceptedVenue: 'xiangzhou-centre',
      crossRegion: true,
    });
    expectProblem(await s.call('GET', `/api/tasks/${task}`, { as: 'market-regulation1' }), 404);
    expectProblem(await s.call('GET', `/api/applications/${appId}`, { as: 'market-regulation1' }), 404);
    expectProblem(
      await s.call('POST', `/api/tasks/${task}/claim`, { as: 'market-regulation1', body: {} }),
      404,
    );
    expectProblem(
      await s.call('POST', `/api/tasks/${task}/approve`, { as: 'market-regulation1', body: {} }),
      404,
    );
    // The deciding office reads the case, limited to its own item.
    const read = await s.ok('GET', `/api/applications/${appId}`, { as: 'doumen-market-regulation1' });
    expect(read.items.map((i: Json) => i.item)).toEqual(['enterprise-registration']);
  });

  it('supervisors: the city sees all, 斗门 the work decided there, 香洲 the case it accepted', async () => {
    const all = await tasksOf('supervisor1', appId);
    expect(all).toEqual(expect.arrayContaining(['enterprise-registration', 'housing-fund-account']));
    const doumen = await tasksOf('supervisor2', appId);
    expect(doumen).toContain('enterprise-registration');
    expect(doumen).not.toContain('housing-fund-account');
    expect(await tasksOf('supervisor3', appId)).toEqual([]);
    const listed = async (who: string) =>
      (await s.ok('GET', '/api/applications?limit=100', { as: who })).items.map((a: Json) => a.id);
    expect(await listed('supervisor1')).toContain(appId);
    expect(await listed('supervisor3')).toContain(appId);
    expect(await listed('supervisor2')).not.toContain(appId);
    // 斗门's supervisor may open the case its offices work on.
    expect((await s.call('GET', `/api/applications/${appId}`, { as: 'supervisor2' })).status).toBe(200);
  });

  it('the accepting clerk keeps the case; 斗门 decides; the result is handed over at 香洲', async () => {
    expectProblem(await s.call('GET', `/api/applications/${appId}`, { as: 'clerk2' }), 404);
    const done = await approveAll(appId, [...DOUMEN, 'doumen-medical-security1', ...CITY]);
    expect(done.status).toBe('results-ready');
    expectProblem(
      await s.call('POST', `/api/applications/${appId}/deliver`, {
        as: 'clerk2',
        body: { channel: 'window' },
      }),
      404,
    );
    const delivered = await s.ok('POST', `/api/applications/${appId}/deliver`, {
      as: 'clerk1',
      body: { channel: 'window' },
    });
    expect(delivered.delivery).toMatchObject({ channel: 'window', venue: 'xiangzhou-centre', by: 'clerk1' });
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });
    const approvals = app.timeline.filter((e: Json) => e.type === 'task.approved');
    expect(approvals.find((e: Json) => e.data.item === 'enterprise-registration')).toMatchObject({
      by: { userId: 'doumen-market-regulation1', department: 'market-regulation' },
      data: { decidingVenue: 'doumen-centre', decidingDepartment: '440403-market-regulation' },
    });
    const venues = new Set(
      app.timeline.flatMap((e: Json) => [e.data?.acceptedVenue, e.data?.decidingVenue].filter(Boolean)),
    );
    expect([...venues]).toEqual(expect.arrayContaining(['xiangzhou-centre', 'doumen-centre']));
    expect(app.timeline.at(-1).type).toBe('delivered');
  });
});

describe('属地 the other way round', () => {
  it("a case decided in 香洲 is 香洲's office's; 斗门's office of the same department gets 404", async () => {
    const appId = await acceptedCase('clerk1', '440402');
    expect(await tasksOf('market-regulation1', appId)).toEqual(['enterprise-registration']);
    expect(await tasksOf('doumen-market-regulation1', appId)).toEqual([]);
    const task = encodeURIComponent(taskId(appId, 'enterprise-registration'));
    expectProblem(await s.call('GET', `/api/tasks/${task}`, { as: 'doumen-market-regulation1' }), 404);
    expect(await tasksOf('supervisor2', appId)).toEqual([]);
  });

  it('a 斗门 town centre receives a case decided in 香洲 and gets the result back, or sends it by post', async () => {
    const appId = await acceptedCase('clerk3', '440402');
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk3' });
    expect(app.acceptedVenue).toBe('baijiao-centre');
    expect(app.items.find((i: Json) => i.item === 'enterprise-registration')).toMatchObject({
      decidingDepartment: '440402-market-regulation',
      decidingVenue: 'xiangzhou-centre',
      crossRegion: true,
    });
    const users = ['market-regulation1', 'public-security1', 'tax1', 'hrss1', 'medical-security1', ...CITY];
    expect((await approveAll(appId, users)).status).toBe('results-ready');
    // 斗门's centre sees its district's cases, but the result waits at the town centre that took it in.
    const elsewhere = expectProblem(
      await s.call('POST', `/api/applications/${appId}/deliver`, {
        as: 'clerk2',
        body: { channel: 'window' },
      }),
      422,
    );
    expect(elsewhere.errors[0].field).toBe('channel');
    expect(elsewhere.zh.detail).toContain('白蕉镇便民服务中心');
    const posted = await s.ok('POST', `/api/applications/${appId}/deliver`, {
      as: 'clerk3',
      body: { channel: 'post' },
    });
    expect(posted.delivery).toMatchObject({ channel: 'post', by: 'clerk3', venue: 'baijiao-centre' });
  });
});

describe('an office that covers a function zone (高新区 has no social-insurance office of its own)', () => {
  it("香洲's hrss office decides for a 高新区 company; 高新区's own items stay with its offices", async () => {
    const appId = await acceptedCase('clerk1', '440492');
    const app = await s.ok('GET', `/api/applications/${appId}`, { as: 'clerk1' });
    expect(app.items.find((i: Json) => i.item === 'employer-social-insurance')).toMatchObject({
      decidingDepartment: '440402-hrss',
      decidingDepartmentRegion: '440402',
      decidingRegion: '440492',
    });
    expect(await tasksOf('hrss1', appId)).toEqual(['employer-social-insurance']);
    expect(await tasksOf('doumen-hrss1', appId)).toEqual([]);
    // Registration is 高新区's own office: neither district's market regulator sees it.
    expect(await tasksOf('market-regulation1', appId)).toEqual([]);
    expect(await tasksOf('supervisor3', appId)).toEqual(
      expect.arrayContaining(['employer-medical-insurance', 'employer-social-insurance']),
    );
    expect(await tasksOf('supervisor3', appId)).not.toContain('enterprise-registration');
  });
});
