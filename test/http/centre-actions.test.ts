/**
 * Over HTTP: a draft's corrected applicant; an evaluation twice on one channel, or by staff online;
 * a department withdrawing its unanswered supplement request.
 */
import { startCentreServer, taskId, type CentreServer } from './centre-fixture.js';

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer();
});
afterAll(() => s.close());

it('PATCH keeps a corrected applicant ID number', async () => {
  const id = await s.caseIn('draft');
  const applicant = { kind: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000' };
  await s.ok('PATCH', `/api/applications/${id}`, { as: 'clerk1', body: { applicant } });
  const mine = await s.ok('GET', `/api/applications/${id}`, { as: 'applicant1' });
  expect(mine.applicant.idNumber).toBe('11010519491231002X');
});

it('an evaluation twice on one channel says so, and staff cannot evaluate online', async () => {
  const id = await s.caseIn('delivered');
  const evaluated = await s.ok('POST', `/api/applications/${id}/evaluation`, {
    as: 'applicant1',
    body: { channel: 'app', level: 1, comment: '太慢' },
  });
  const again = await s.call('POST', `/api/applications/${id}/evaluation`, {
    as: 'applicant1',
    body: { channel: 'app', level: 4 },
  });
  expect(again.status).toBe(409);
  expect(again.body.title).toContain('该渠道已评价');
  const forbidden = await s.call('POST', `/api/applications/${id}/evaluation`, {
    as: 'clerk1',
    body: { channel: 'web', level: 5 },
  });
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.errors[0].field).toBe('channel');
  expect(evaluated.status).toBe('evaluated');
});

it('a department withdraws its unanswered supplement request; the item is under review again', async () => {
  const id = await s.caseIn('accepted');
  const task = `/api/tasks/${taskId(id, 'enterprise-registration')}`;
  await s.ok('POST', `${task}/request-supplement`, {
    as: 'market-regulation1',
    body: { entries: [{ problem: '住所证明不清晰', materialId: 'premisesProof' }] },
  });
  expect((await s.ok('GET', task, { as: 'market-regulation1' })).status).toBe('needs-supplement');
  const other = await s.call('POST', `${task}/withdraw-supplement`, { as: 'tax1', body: {} });
  expect(other.status).toBe(404); // not its task: as if there were none
  const withdrawn = await s.ok('POST', `${task}/withdraw-supplement`, { as: 'market-regulation1', body: {} });
  expect(withdrawn.status).toBe('reviewing');
  const app = await s.ok('GET', `/api/applications/${id}`, { as: 'clerk1' });
  expect(app.items.find((i: { item: string }) => i.item === 'enterprise-registration').status).toBe(
    'reviewing',
  );
  expect(app.timeline.some((e: { type: string }) => e.type === 'supplement.withdrawn')).toBe(true);
  const again = await s.call('POST', `${task}/withdraw-supplement`, { as: 'market-regulation1', body: {} });
  expect(again.status).toBe(409);
});
