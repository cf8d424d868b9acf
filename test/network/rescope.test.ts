/**
 * Inbox rows projected before 属地 scoping carry no decider fields; the server rebuilds them at
 * start (Centre.reprojectUnscopedTasks) so the deciding office finds its earlier tasks again.
 */
import { DEPARTMENT_TASKS } from '../../engine/src/applications/centre.js';
import { startCentreServer, taskId, type CentreServer } from '../http/centre-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of the API under test
type Json = any;

let s: CentreServer;
beforeAll(async () => {
  s = await startCentreServer({ sqlite: true });
});
afterAll(() => s.close());

const inbox = async (user: string, appId: string) =>
  (await s.ok('GET', '/api/tasks?limit=100', { as: user })).items
    .filter((t: Json) => t.applicationId === appId)
    .map((t: Json) => t.item);

it('rows without the decider fields are rebuilt once, and the office sees its task again', async () => {
  const appId = await s.caseIn('accepted');
  const rows = await s.docs.find<Json>(DEPARTMENT_TASKS, { where: { applicationId: appId } });
  expect(rows.length).toBeGreaterThan(0);
  // As an earlier version wrote them.
  for (const { deciderRegion: _r, deciderDistrict: _d, deciderCity: _c, ...old } of rows)
    await s.docs.replace(DEPARTMENT_TASKS, old);
  expect(await inbox('market-regulation1', appId)).toEqual([]);

  expect(await s.centre.reprojectUnscopedTasks()).toBe(1);
  expect(await inbox('market-regulation1', appId)).toEqual(['enterprise-registration']);
  const row = await s.docs.get<Json>(DEPARTMENT_TASKS, taskId(appId, 'enterprise-registration'));
  expect(row).toMatchObject({ deciderRegion: '440402', deciderDistrict: '440402', deciderCity: '440400' });
  expect(await s.centre.reprojectUnscopedTasks()).toBe(0);
});

it('rebuilding saves the case at its next rev, so no process keeps rows remembered at the old one', async () => {
  const appId = await s.caseIn('accepted');
  const before = await s.docs.get<Json>('applications', appId);
  const rows = await s.docs.find<Json>(DEPARTMENT_TASKS, { where: { applicationId: appId } });
  for (const { deciderRegion: _r, deciderDistrict: _d, deciderCity: _c, ...old } of rows)
    await s.docs.replace(DEPARTMENT_TASKS, old);
  expect(await s.centre.reprojectUnscopedTasks()).toBe(1);
  expect((await s.docs.get<Json>('applications', appId)).rev).toBe(before.rev + 1);
});

it('leaves a case alone, rev and all, when rebuilding would change none of its rows', async () => {
  const appId = await s.caseIn('accepted');
  const before = await s.docs.get<Json>('applications', appId);
  const [row] = await s.docs.find<Json>(DEPARTMENT_TASKS, { where: { applicationId: appId } });
  // A row of an item the case no longer routes: it keeps no decider fields, whatever is rebuilt.
  const { deciderRegion: _r, deciderDistrict: _d, deciderCity: _c, ...unrouted } = row;
  await s.docs.replace(DEPARTMENT_TASKS, { ...unrouted, id: taskId(appId, 'no-such-item') });
  expect(await s.centre.reprojectUnscopedTasks()).toBe(0);
  expect((await s.docs.get<Json>('applications', appId)).rev).toBe(before.rev);
});

describe('a document store without atomic batches', () => {
  let m: CentreServer;
  beforeAll(async () => {
    m = await startCentreServer({ withoutBatches: true });
  });
  afterAll(() => m.close());

  it('compares a save with the rows stored, not those it remembers: a late row write is put right', async () => {
    const appId = await m.caseIn('accepted');
    const id = taskId(appId, 'enterprise-registration');
    const rows = await m.docs.find<Json>(DEPARTMENT_TASKS, { where: { applicationId: appId } });
    const other = rows.find((r: Json) => r.id !== id);
    expect(other).toBeDefined();
    // Another node's write of a row the next decision does not change, landing after this node's commit.
    await m.docs.replace(DEPARTMENT_TASKS, { ...other, timeStatus: 'stale' });
    await m.ok('POST', `/api/tasks/${encodeURIComponent(id)}/claim`, { as: 'market-regulation1' });
    expect((await m.docs.get<Json>(DEPARTMENT_TASKS, id)).state).toBe('claimed');
    expect((await m.docs.get<Json>(DEPARTMENT_TASKS, other.id)).timeStatus).toBe(other.timeStatus);
  });
});
